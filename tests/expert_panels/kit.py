"""Small builders for the expert-panel tests: a registry, a request, a fixed date."""

from dataclasses import replace
from datetime import date

from expert_panels.draw import DrawRequest
from expert_panels.registry import Affiliation, Expert

AS_OF = date(2026, 3, 1)
OWNER_ORG, BUILDER_ORG, OTHER_ORG = "ORG-OWNER", "ORG-BUILDER", "ORG-ELSEWHERE"
SEED = "council-seed-2026-03-01"


def expert(
    expert_id: str,
    *specialties: str,
    domain: str = "renovation",
    affiliations: tuple[Affiliation, ...] = (),
    open_cases: int = 0,
    active: bool = True,
) -> Expert:
    return Expert(
        expert_id=expert_id,
        name=f"Expert {expert_id}",
        domain=domain,
        specialties=list(specialties) or ["painting"],
        affiliations=list(affiliations),
        open_cases=open_cases,
        active=active,
    )


def paid_by(org: str, start: date, end: date | None = None) -> Affiliation:
    return Affiliation(org_id=org, kind="paid", start=start, end=end)


def employed_by(org: str, start: date, end: date | None = None) -> Affiliation:
    return Affiliation(org_id=org, kind="employed", start=start, end=end)


def request(**changes) -> DrawRequest:
    base = DrawRequest(
        case_id="CASE-2026-00007",
        domain="renovation",
        main_specialty="waterproofing",
        party_org_ids=(OWNER_ORG, BUILDER_ORG),
        as_of=AS_OF,
    )
    return replace(base, **changes)


def registry(specialists: int = 4, others: int = 4) -> list[Expert]:
    """Waterproofing specialists W01.. and other renovation experts R01..; nobody conflicted."""
    return [expert(f"W{n:02}", "waterproofing", "plumbing") for n in range(1, specialists + 1)] + [
        expert(f"R{n:02}", "carpentry", "painting") for n in range(1, others + 1)
    ]
