"""The council accredits an inspector, so a contract may name it: what every demo, kit and bench
does once before its first escrow (a contract naming an inspector off the council's list is
refused, api/inspector_check.py)."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from client.party import Party, raise_for_error

DEFAULT_SPECIALTIES = ("waterproofing", "electrical", "plumbing", "carpentry", "painting", "structure")
DEFAULT_YEARS = 5


async def accredit_inspector(
    council: Party,
    inspector_id: str,
    *,
    specialties: Sequence[str] = DEFAULT_SPECIALTIES,
    valid_from: date | None = None,
    valid_until: date | None = None,
    affiliations: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """POST the accreditation as the council member `council`; the stored record.

    By default it holds from yesterday for five years: yesterday, so a contract drafted
    at once counts as inside it whatever the time zone of the caller."""
    today = datetime.now(UTC).date()
    body = {
        "party_id": inspector_id,
        "specialties": list(specialties),
        "valid_from": (valid_from or today - timedelta(days=1)).isoformat(),
        "valid_until": (valid_until or today + timedelta(days=365 * DEFAULT_YEARS)).isoformat(),
        "affiliations": list(affiliations),
    }
    return raise_for_error(
        await council.http.post("/inspectors/accreditations", json=body, headers=council.auth)
    )
