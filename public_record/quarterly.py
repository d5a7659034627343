"""The quarterly list: the businesses with the most complaints filed in a quarter.

A published list is a frozen document (see store.publish): what was true when it
was published, whatever happens to the cases later.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from public_record.complaints import Complaint, tally
from public_record.facts import History
from public_record.periods import Quarter

LIST_LENGTH = 20


@dataclass(frozen=True)
class ListedBusiness:
    rank: int
    party_id: str
    name: str
    address: str | None
    complaints: int
    mediated: int  # closed by mediation or decision (the rate's denominator)
    mediation_successes: int  # settled or withdrawn
    mediation_rate: float | None
    outcomes: dict[str, int]
    credit_code: str | None = None  # the verified licence's code; None: printed by party id only


def quarterly_list(
    history: History, complaints: list[Complaint], quarter: Quarter, length: int = LIST_LENGTH
) -> list[ListedBusiness]:
    """Top `length` businesses by complaints filed in `quarter`; ties by name, then party id.

    The mediation rate counts the quarter's complaints as they stand when the list is made.
    """
    by_business: dict[str, list[Complaint]] = {}
    for complaint in complaints:
        if complaint.is_complaint and Quarter.of(complaint.filed_at) == quarter:
            by_business.setdefault(complaint.business_id, []).append(complaint)
    businesses = {party_id: history.business(party_id) for party_id in by_business}
    ranked = sorted(by_business, key=lambda p: (-len(by_business[p]), businesses[p].name, p))[:length]
    rows = []
    for rank, party_id in enumerate(ranked, start=1):
        counts = tally(by_business[party_id])
        business = businesses[party_id]
        rows.append(
            ListedBusiness(
                rank=rank,
                party_id=party_id,
                name=business.name,
                address=business.address,
                complaints=counts.count,
                mediated=counts.mediated,
                mediation_successes=counts.mediation_successes,
                mediation_rate=counts.mediation_rate,
                outcomes=dict(sorted(counts.outcomes.items())),
                credit_code=business.credit_code,
            )
        )
    return rows


def list_document(
    quarter: Quarter,
    rows: list[ListedBusiness],
    *,
    published_at: datetime,
    expires_at: datetime,
    complaints_in_quarter: int,
    ratings: dict[str, dict[str, object]] | None = None,
) -> dict[str, Any]:
    """The published form of a list: everything the pages, JSON and CSV show, frozen, and every
    verified business's star rating at publication (public_record/ratings.py `frozen`)."""
    return {
        "ratings": ratings or {},
        "quarter": str(quarter),
        "period_start": quarter.starts_at.isoformat(),
        "period_end": quarter.ends_at.isoformat(),
        "published_at": published_at.isoformat(),
        "expires_at": expires_at.isoformat(),
        "complaints_in_quarter": complaints_in_quarter,
        "businesses": [asdict(row) for row in rows],
    }


CSV_COLUMNS = (
    "rank",
    "party_id",
    "name",
    "address",
    "complaints",
    "mediated",
    "mediation_successes",
    "mediation_rate",
    "credit_code",
)


def percent(value: float | None) -> str:
    """A rate as the pages and the printed notices show it: whole percent, a dash when nothing closed."""
    return "—" if value is None else f"{100 * value:.0f}%"


def csv_rows(document: dict[str, Any]) -> list[list[str]]:
    """Header and one row per business; the rate with four decimals, blank when nothing closed."""
    rows = [list(CSV_COLUMNS)]
    for business in document["businesses"]:
        rate = business["mediation_rate"]
        rows.append(
            [
                str(business["rank"]),
                business["party_id"],
                business["name"],
                business["address"] or "",
                str(business["complaints"]),
                str(business["mediated"]),
                str(business["mediation_successes"]),
                "" if rate is None else f"{rate:.4f}",
                business.get("credit_code") or "",  # lists published before codes have none
            ]
        )
    return rows
