"""Working days as data: weekends, public holidays and make-up working days.

China moves working days around its holidays (a Saturday can be a working day),
so the calendar is handed to a workflow when it starts and deadlines counted in
working days stay deterministic. Dates are local to Asia/Shanghai, which has kept
UTC+8 without daylight saving since 1991, so a fixed offset is exact.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

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

    def document(self) -> dict[str, list[str]]:
        return {
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "makeup_workdays": sorted(d.isoformat() for d in self.makeup_workdays),
        }

    @classmethod
    def from_document(cls, raw: dict[str, list[str]]) -> "WorkCalendar":
        return cls(
            holidays=frozenset(date.fromisoformat(d) for d in raw.get("holidays", [])),
            makeup_workdays=frozenset(date.fromisoformat(d) for d in raw.get("makeup_workdays", [])),
        )
