"""Working days as data: weekends, public holidays and make-up working days.

China moves working days around its holidays (a Saturday can be a working day),
so the calendar is handed to a workflow when it starts and deadlines counted in
working days stay deterministic. Dates are local to Asia/Shanghai, which has kept
UTC+8 without daylight saving since 1991, so a fixed offset is exact.

Each year the calendar covers is official (the State Council's notice for it is known:
holidays and make-up days as announced) or provisional (statutory holidays only, the
notice not yet out), and a deadline whose count runs through a provisional year is
provisional too. config/calendar_cn.py builds the calendar; docs/CASES.md "Working days".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    official_years: frozenset[int] = field(default_factory=frozenset)
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 Shanghai time) of the `days`-th working day after `start`'s local date."""
        day = start.astimezone(SHANGHAI).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, time(23, 59, 59), SHANGHAI).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days follow `start`'s local date, up to and including `end`'s (0 when
        `end` is not on a later day): the days `add_working_days` would count from `start` to `end`."""
        day, last = (moment.astimezone(SHANGHAI).date() for moment in (start, end))
        counted = 0
        while day < last:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return counted

    def provisional_between(self, start: datetime, due: datetime) -> list[int]:
        """The provisional years a count from `start` to `due` runs through (none: it is official)."""
        first, last = (moment.astimezone(SHANGHAI).year for moment in (start, due))
        return [year for year in range(first, last + 1) if year in self.provisional_years]

    def document(self) -> dict[str, list[str]]:
        return {
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "makeup_workdays": sorted(d.isoformat() for d in self.makeup_workdays),
            "official_years": sorted(str(y) for y in self.official_years),
            "provisional_years": sorted(str(y) for y in self.provisional_years),
        }

    @classmethod
    def from_document(cls, raw: object) -> "WorkCalendar":
        """The calendar `document()` wrote; anything else is refused with `InvalidCalendar`."""
        if not isinstance(raw, dict):
            raise InvalidCalendar("a calendar document is an object of lists")
        return cls(
            holidays=_entries(raw, "holidays", date.fromisoformat),
            makeup_workdays=_entries(raw, "makeup_workdays", date.fromisoformat),
            official_years=_entries(raw, "official_years", _year),
            provisional_years=_entries(raw, "provisional_years", _year),
        )


class InvalidCalendar(ValueError):
    """A calendar document that is not one (e.g. pushed by hand): refused, nothing changes."""


T = TypeVar("T")


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isdigit()):
        raise ValueError(text)
    return int(text)


def _entries(raw: dict[Any, Any], key: str, read: Callable[[str], T]) -> frozenset[T]:
    """The calendar's `key` list (absent: none), each entry read by `read`."""
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidCalendar(f"{key} must be a list of texts")
    read_values = set()
    for value in values:
        try:
            read_values.add(read(value))
        except ValueError:
            what = "a year" if read is _year else "a date (YYYY-MM-DD)"
            raise InvalidCalendar(f"{key}: {value!r} is not {what}") from None
    return frozenset(read_values)
