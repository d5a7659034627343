"""Which district's notice board a business of a published list belongs on.

A business's district is the administrative division (GB/T 2260, six digits) in its verified
unified social credit code, characters 3-8: where the licence was registered, which is where it
trades or is answerable. A business the council has not verified has no code the council stands
behind, so it is on no district's notice: the web list prints it by party id only, and every
notice says so (docs/PUBLIC_RECORD.md). A code registered by a national office (100000) gets a
notice of its own, for the council's own board.
"""

import re
from typing import Any

from stdnum import numdb

from domain import credit_code

DISTRICT_PATTERN = re.compile(r"[0-9]{6}")
YEARS_IN_USE = re.compile(r"^\[[0-9]*-[0-9]*\]")  # "[1981-]", "[-2010]": when a name was in use
_LOCATIONS = numdb.get("cn/loc")


def district_of(code: str | None) -> str | None:
    """The six-digit division of a verified code; None without one (or for a code no longer valid)."""
    if not code:
        return None
    try:
        return credit_code.parse(code).division
    except credit_code.CreditCodeError:
        return None


def by_district(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The list's rows per district, in the list's order (ranks as on the web list), districts sorted."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in document["businesses"]:
        district = district_of(row.get("credit_code"))
        if district is not None:
            groups.setdefault(district, []).append(row)
    return dict(sorted(groups.items()))


def unplaced(document: dict[str, Any]) -> int:
    """How many businesses of the list are on no district's notice (not verified)."""
    return sum(1 for row in document["businesses"] if district_of(row.get("credit_code")) is None)


def district_words(district: str) -> credit_code.Words:
    """A district as printed: its province, its city or county by name, and its code, e.g.
    "广西壮族自治区桂林市（450300）" / "Guangxi Zhuang Autonomous Region, 桂林市 (450300)".

    The names are python-stdnum's GB/T 2260 table (`cn/loc`, the one its ID-number check reads),
    which keeps a name with the years it was in use ("[1981-]阳朔县"; "[-2010]崇文区" for one since
    abolished): shown without them, since a licence keeps its code when its county is renamed. The
    table has no English names, so the English line gives the county's in Chinese, as a proper
    name; a code the table does not know is printed with its province only. The code always
    follows: it is what a licence and the registry print."""
    if district == credit_code.NATIONAL_DIVISION:
        return credit_code.NATIONAL
    province = credit_code.PROVINCES.get(district[:2])
    if province is None:
        return credit_code.Words(district, district)
    county = county_name(district)
    if county is None:
        return credit_code.Words(f"{province.zh}（{district}）", f"{province.en} ({district})")
    return credit_code.Words(f"{province.zh}{county}（{district}）", f"{province.en}, {county} ({district})")


def county_name(district: str) -> str | None:
    """The city's or county's name in GB/T 2260, None for a province's own code or one unknown."""
    parts = _LOCATIONS.info(district)
    names = [props.get("county") for _, props in parts[1:]]
    if district.endswith("0000") or not names or names[-1] is None:
        return None
    return YEARS_IN_USE.sub("", names[-1])
