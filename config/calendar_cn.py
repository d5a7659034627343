"""China's working days for the years a case needs: python-holidays, then newer notices.

python-holidays (`holidays.China`) carries, for every year, the statutory public holidays
(with the statutory rest day given for one falling on a weekend), and, for each year whose
State Council notice it knows, the notice's days off and the weekend days worked instead
(`weekend_workdays`). A notice newer than the installed library goes in the override file
(`ESCROW_HOLIDAYS_FILE`, config/holidays_cn.json):

    {"about": "...",
     "years": {"2027": {"notice": "国办发明电〔2026〕N号",
                        "holidays": ["2027-01-01", ...],         # every day off the notice lists
                        "makeup_workdays": ["2027-02-20", ...]}}} # every weekend day it makes a working day

A year named there replaces the library's days for that year. A year is official when the
library has its make-up days or the override names it, provisional otherwise (statutory
days only). The calendar handed to a case keeps only what changes a count (holidays on
weekdays and make-up working days), for the years from its filing to `YEARS_AHEAD` later.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from holidays import HolidayBase
from holidays.countries.china import China

from domain.calendar import WorkCalendar

YEARS_AHEAD = 3  # a case's calendar runs from its filing year to three years on


@dataclass(frozen=True)
class Notice:
    """A State Council notice's schedule for one year, from the override file."""

    notice: str
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]


def read_notices(path: Path) -> dict[int, Notice]:
    """The override file's notices by year (a notice may name a late-December day of the year before)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    notices: dict[int, Notice] = {}
    for year_text, entry in raw.get("years", {}).items():
        year = int(year_text)
        days = {
            key: frozenset(date.fromisoformat(d) for d in entry[key])
            for key in ("holidays", "makeup_workdays")
        }
        notices[year] = Notice(entry["notice"], days["holidays"], days["makeup_workdays"])
    return notices


def library_days(first_year: int, last_year: int) -> HolidayBase:
    """python-holidays' China calendar for these years (names by date, `weekend_workdays`)."""
    return China(years=range(first_year, last_year + 1))  # type: ignore[no-untyped-call]  # its __init__ is unannotated


def china_calendar(first_year: int, last_year: int, notices: dict[int, Notice]) -> WorkCalendar:
    library = library_days(first_year, last_year)
    days_off: set[date] = set()
    workdays: set[date] = set()
    official: set[int] = set()
    provisional: set[int] = set()
    for year in range(first_year, last_year + 1):
        notice = notices.get(year)
        if notice is not None:
            off, worked = set(notice.holidays), set(notice.makeup_workdays)
        else:
            off = {d for d in library if d.year == year}
            worked = {d for d in library.weekend_workdays if d.year == year}
        (official if notice is not None or worked else provisional).add(year)
        days_off |= {d for d in off if d.weekday() < 5}  # a weekend day off changes no count
        workdays |= worked
    return WorkCalendar(frozenset(days_off), frozenset(workdays), frozenset(official), frozenset(provisional))
