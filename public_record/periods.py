"""Quarters and months on the Asia/Shanghai calendar, the council's own.

A month or quarter read from a request is parsed here and refused (`BadMonth`,
`BadQuarter`: a 422 at the API) unless its year is one the record can hold, 2000 to
2999: `GET /council/complaint-alerts?month=0000-01` used to reach `datetime(0, ...)` and
answer 500, and year 9999's last quarter ends in a year `datetime` cannot write. The
patterns spell that range (a 2 and three digits), so the API's parameters declare it in
the OpenAPI document and are refused by their validator before anything parses them.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.calendar import SHANGHAI

QUARTER_PATTERN = re.compile(r"^(2\d{3})Q([1-4])$")
MONTH_PATTERN = re.compile(r"^(2\d{3})-(0[1-9]|1[0-2])$")


class BadQuarter(ValueError):
    pass


class BadMonth(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER_PATTERN.fullmatch(text)
        if not match:
            raise BadQuarter("a quarter is written like 2026Q3, in years 2000 to 2999")
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
        match = MONTH_PATTERN.fullmatch(text)
        if not match:
            raise BadMonth("a month is written like 2026-07, in years 2000 to 2999")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def starts_at(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=SHANGHAI).astimezone(UTC)
