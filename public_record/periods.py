"""Quarters and months on the Asia/Shanghai calendar, the council's own."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.calendar import SHANGHAI

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


class BadQuarter(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER_PATTERN.match(text)
        if not match:
            raise BadQuarter(f"a quarter is written like 2026Q3, not {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, moment: datetime) -> "Quarter":
        local = moment.astimezone(SHANGHAI)
        return cls(local.year, (local.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def starts_at(self) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=SHANGHAI).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the quarter."""
        return Month(self.year, 3 * self.number).next().starts_at


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime) -> "Month":
        local = moment.astimezone(SHANGHAI)
        return cls(local.year, local.month)

    @classmethod
    def parse(cls, text: str) -> "Month":
        moment = datetime.strptime(text, "%Y-%m")
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def starts_at(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=SHANGHAI).astimezone(UTC)
