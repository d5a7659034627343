"""The car facts a buyer states in a claim, and what the regulation gives on them.

A buyer knows dates, not day counts: the day the car was invoiced, the day it was delivered
(where the two differ) and the day the fault showed. `period_start` picks the day the periods
run from as Art. 18 para. 2 says, and `CarFacts.on_dates` turns the dates into the exact day
count and period lengths, leap years included. The finding is what the claim says the law
gives; the panel establishes the facts and confirms the remedy or departs from it with
reasons (DESIGN, expert-panel dispute).

Besides the facts of the fault, the claim may state (each optional and checked): the car's
use (Art. 40), that no comparable car exists to replace it (Art. 25), periods the maker
promised beyond the statutory minimums (Art. 18 「不得低于」), and the business's defences
(Art. 32, and Art. 40's "not a household car"), which the finding weighs as raised, not proved.
The respondent raises its defences in its answer (`answer.submit`'s `defences`); the case then
weighs them with the claim's through the same `claimed_remedy`.
"""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from expert_panels.car_remedy import CarFacts, InvalidCarFacts, RemedyFinding, statutory_remedy

START_DATES = ("invoiced_on", "delivered_on")  # at least one (Art. 18 para. 2)
REQUIRED = ("fault_on", "km", "fault_part")
OPTIONAL = (
    "needs_main_part_replacement",
    "main_part_fault",
    "serious_safety_fault_failed_repairs",
    "assembly_replacements",
    "same_main_part_replacements",
    "still_not_working",
    "total_days_under_repair",
    "same_problem_repairs",
    "no_comparable_car",
    "use",
    "three_guarantee_years",
    "three_guarantee_km",
    "repair_warranty_years",
    "repair_warranty_km",
    "defences",
)
FACTS = (*START_DATES, *REQUIRED, *OPTIONAL)  # in the order a claim form asks for them


def period_start(invoiced_on: date | None, delivered_on: date | None) -> date:
    """The day the three-guarantee and repair-warranty periods, and with them the 7-day and
    60-day windows, run from (Art. 18 para. 2): the invoice date; where the car was delivered
    on another day, the delivery date. A claim that gives only one of them runs from that one."""
    if invoiced_on is not None and (delivered_on is None or delivered_on == invoiced_on):
        return invoiced_on
    if delivered_on is None:
        raise InvalidCarFacts("car facts missing: invoiced_on or delivered_on", "car_start_date_missing")
    return delivered_on


def car_facts_from_claim(raw: Any) -> CarFacts:
    """The claim's `car_facts` object as `CarFacts`; `InvalidCarFacts` says what is wrong."""
    if not isinstance(raw, dict):
        raise InvalidCarFacts("car_facts must be an object")
    unknown = sorted(set(raw) - set(FACTS))
    if unknown:
        raise InvalidCarFacts(f"unknown car facts: {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise InvalidCarFacts(f"car facts missing: {', '.join(missing)}")
    invoiced, delivered = (_day(raw[name], name) if name in raw else None for name in START_DATES)
    start, fault = period_start(invoiced, delivered), _day(raw["fault_on"], "fault_on")
    extra = {name: raw[name] for name in OPTIONAL if name in raw}
    return CarFacts.on_dates(start, fault, km=raw["km"], fault_part=raw["fault_part"], **extra)


def finding_document(finding: RemedyFinding) -> dict[str, Any]:
    """The finding as plain JSON, for the case's snapshot and the decision it is weighed in.

    Art. 25's refund and the defences raised appear only when the claim states them, so a
    finding on facts without them is the document it always was (recorded decisions keep
    their hash).
    """
    document = asdict(finding)
    document["remedy"] = finding.remedy.value
    document["grounds"] = [_ground(g) for g in finding.grounds]
    document["if_proved"] = [_ground(g) for g in finding.if_proved]
    if finding.no_comparable_car is None:
        del document["no_comparable_car"]
    else:
        document["no_comparable_car"] = _ground(finding.no_comparable_car)
    if not finding.if_proved:
        del document["if_proved"]
    return document


def claimed_remedy(raw: dict[str, Any], answered: Sequence[str] = ()) -> dict[str, Any]:
    """The finding on the claim's facts, weighing the defences the claim states and those the
    respondent raised in its answer (`answered`, known defence names), all as raised, not proved."""
    if answered:  # a defence both raised is weighed once
        claimed = raw.get("defences", [])
        raw = {**raw, "defences": [*claimed, *(d for d in answered if d not in claimed)]}
    return finding_document(statutory_remedy(car_facts_from_claim(raw)))


def _ground(ground: Any) -> dict[str, Any]:
    return {**asdict(ground), "remedy": ground.remedy.value}


def _day(value: Any, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD") from None
