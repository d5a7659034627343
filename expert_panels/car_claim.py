"""The car facts a buyer states in a claim, and what the regulation gives on them.

A buyer knows dates, not day counts: the day the car was delivered (or invoiced, where the
two differ) and the day the fault showed. `CarFacts.on_dates` turns those into the exact
day count and period lengths, leap years included. The finding is what the claim says the
law gives; the panel establishes the facts and confirms the remedy or departs from it with
reasons (DESIGN, expert-panel dispute).
"""

from dataclasses import asdict
from datetime import date
from typing import Any

from expert_panels.car_remedy import CarFacts, InvalidCarFacts, RemedyFinding, statutory_remedy

REQUIRED = ("delivered_on", "fault_on", "km", "fault_part")
OPTIONAL = (
    "needs_main_part_replacement",
    "main_part_fault",
    "serious_safety_fault_failed_repairs",
    "assembly_replacements",
    "same_main_part_replacements",
    "still_not_working",
    "total_days_under_repair",
    "same_problem_repairs",
)


def car_facts_from_claim(raw: Any) -> CarFacts:
    """The claim's `car_facts` object as `CarFacts`; `InvalidCarFacts` says what is wrong."""
    if not isinstance(raw, dict):
        raise InvalidCarFacts("car_facts must be an object")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise InvalidCarFacts(f"unknown car facts: {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise InvalidCarFacts(f"car facts missing: {', '.join(missing)}")
    delivered, fault = _day(raw["delivered_on"], "delivered_on"), _day(raw["fault_on"], "fault_on")
    extra = {name: raw[name] for name in OPTIONAL if name in raw}
    return CarFacts.on_dates(delivered, fault, km=raw["km"], fault_part=raw["fault_part"], **extra)


def finding_document(finding: RemedyFinding) -> dict[str, Any]:
    """The finding as plain JSON, for the case's snapshot and the decision it is weighed in."""
    document = asdict(finding)
    document["remedy"] = finding.remedy.value
    document["grounds"] = [{**asdict(g), "remedy": g.remedy.value} for g in finding.grounds]
    return document


def claimed_remedy(raw: dict[str, Any]) -> dict[str, Any]:
    return finding_document(statutory_remedy(car_facts_from_claim(raw)))


def _day(value: Any, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD") from None
