"""Calendar periods counted the way Chinese civil law counts them.

A period of years ends on the same calendar day in the closing year, and where that
day does not exist (29 February) on the last day of the month (Civil Code Art. 202).
The start day itself is not counted (Art. 201), so "N days after delivery" is simply
`(later - delivered).days` and the period holds while that number is at most N.
Counting in calendar years rather than 365-day blocks keeps leap years honest.
"""

from datetime import date, datetime


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


def period_days(start: date, years: int) -> int:
    """How many days a period of `years` calendar years starting at `start` lasts (730 or 731 for 2)."""
    return (add_years(start, years) - start).days
