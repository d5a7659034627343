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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

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
    def from_document(cls, raw: dict[str, list[str]]) -> "WorkCalendar":
        return cls(
            holidays=frozenset(date.fromisoformat(d) for d in raw.get("holidays", [])),
            makeup_workdays=frozenset(date.fromisoformat(d) for d in raw.get("makeup_workdays", [])),
            official_years=frozenset(int(y) for y in raw.get("official_years", [])),
            provisional_years=frozenset(int(y) for y in raw.get("provisional_years", [])),
        )
