"""Calendar periods counted the way Chinese civil law counts them.

A period of years ends on the same calendar day in the closing year, and where that
day does not exist (29 February) on the last day of the month (Civil Code Art. 202).
The start day itself is not counted (Art. 201), so "N days after delivery" is simply
`(later - delivered).days` and the period holds while that number is at most N.
Counting in calendar years rather than 365-day blocks keeps leap years honest.

A period whose last day is a statutory rest day ends on the day after the rest (Art. 203,
`period_end`): "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日". A rest day is a
day the work calendar does not work (a weekend not made up, a public holiday: domain/calendar.py).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

LONGEST_REST_DAYS = 31  # far beyond China's longest break (9 days at the Spring Festival)


def require_date(value: object, what: str) -> date:
    """A calendar date, never a datetime: time of day has no place in these rules."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} must be a date, not {type(value).__name__}")
    return value


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (negative: earlier); 29 February falls to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the month's last day
        return day.replace(year=day.year + years, day=28)


def period_end(last_day: date, is_working_day: Callable[[date], bool] | None) -> date:
    """Art. 203: the period's last day, or where that is a rest day, the first day after the rest.
    Without a calendar, the day itself."""
    if is_working_day is None:
        return last_day
    day = last_day
    for _ in range(LONGEST_REST_DAYS):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    return day  # a calendar that never works: the count stops, it does not run on
