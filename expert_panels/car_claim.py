"""The car facts a buyer states in a claim, and what the regulation gives on them.

A buyer knows dates, not day counts: the day the car was invoiced, the day it was delivered
(where the two differ) and the day the fault showed. `period_start` picks the day the periods
run from as Art. 18 para. 2 says, and `CarFacts.on_dates` turns the dates into the exact day
count and period lengths, leap years included. The finding is what the claim says the law
gives; the panel establishes the facts and confirms the remedy or departs from it with
reasons (DESIGN, expert-panel dispute).

Besides the facts of the fault, the claim may state (each optional and checked): the car's
use (Art. 40), that no comparable car exists to replace it (Art. 25), periods the maker
promised beyond the statutory minimums (Art. 18 「不得低于」), the business's defences
(Art. 32, and Art. 40's "not a household car"), which the finding weighs as raised, not proved,
the hours of the repair the claim is about (Art. 21's courtesy car) and the day the buyer asked
the seller for a replacement or refund (Art. 28's answer and completion days, `dealer_deadlines`,
counted on a working-day calendar, so pages count them: the finding itself needs none).
The respondent raises its defences in its answer (`answer.submit`'s `defences`); the case then
weighs them with the claim's through the same `claimed_remedy`.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from domain.calendar import SHANGHAI, WorkCalendar
from expert_panels.car_remedy import (
    ANSWER_WORKING_DAYS,
    ART28_ARTICLE,
    ART28_RULE,
    CAR_REMEDIES,
    COMPLETE_WORKING_DAYS,
    CarFacts,
    InvalidCarFacts,
    Remedy,
    RemedyFinding,
    statutory_remedy,
)

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
    "repair_hours",
    "requested_on",
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


def car_facts_from_claim(raw: Any, calendar: WorkCalendar | None = None) -> CarFacts:
    """The claim's `car_facts` object as `CarFacts`; `InvalidCarFacts` says what is wrong. With
    the case's work calendar, a period ending on a rest day runs to the day after it (Civil Code
    Art. 203); without one (a claim checked before it is filed), each ends on its day."""
    if not isinstance(raw, dict):
        raise InvalidCarFacts("car_facts must be an object")
    unknown = sorted(set(raw) - set(FACTS))
    if unknown:
        raise InvalidCarFacts(f"unknown car facts: {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise InvalidCarFacts(f"car facts missing: {', '.join(missing)}")
    start, fault = _start(raw), _day(raw["fault_on"], "fault_on")
    if "requested_on" in raw and _day(raw["requested_on"], "requested_on") < start:
        raise InvalidCarFacts("requested_on is before the three-guarantee period starts")
    extra = {name: raw[name] for name in OPTIONAL if name in raw and name != "requested_on"}
    working = calendar.is_working_day if calendar is not None else None
    return CarFacts.on_dates(
        start, fault, km=raw["km"], fault_part=raw["fault_part"], is_working_day=working, **extra
    )


def _start(raw: dict[str, Any]) -> date:
    invoiced, delivered = (_day(raw[name], name) if name in raw else None for name in START_DATES)
    return period_start(invoiced, delivered)


@dataclass(frozen=True)
class DealerDeadlines:
    """Art. 28 on a stated request for replacement or refund: the last day the seller answers
    (para. 1) and, where the claim's facts meet the conditions, the last day it completes the
    replacement or refund (para. 2), YYYY-MM-DD; None where the article does not set one."""

    rule: str
    article: str
    requested_on: str
    answer_by: str | None
    complete_by: str | None


def dealer_deadlines(
    raw: dict[str, Any], calendar: WorkCalendar, answered: Sequence[str] = ()
) -> DealerDeadlines | None:
    """Art. 28 on the claim's `requested_on` (taken as the day the seller received the request),
    counted on `calendar`: "三包有效期内销售者收到消费者提出的更换家用汽车产品或者退货要求的，应当自收到
    相关要求之日起10个工作日内向消费者作出答复" and "符合更换或者退货条件的，销售者应当自消费者提出更换
    或者退货要求之日起20个工作日内为消费者完成更换或者退货". A request outside the three-guarantee period
    sets neither day; one whose facts give no replacement or refund only the answer's. None: the
    claim states no request."""
    if "requested_on" not in raw:
        return None
    facts = car_facts_from_claim(raw, calendar)
    requested = _day(raw["requested_on"], "requested_on")
    within = (
        requested - _start(raw)
    ).days <= facts.three_guarantee_days and facts.km <= facts.three_guarantee_km
    remedy = claimed_remedy(raw, answered, calendar)["remedy"]

    def after(days: int) -> str:
        noon = datetime.combine(requested, time(12), SHANGHAI)
        return calendar.add_working_days(noon, days).astimezone(SHANGHAI).date().isoformat()

    return DealerDeadlines(
        ART28_RULE,
        ART28_ARTICLE,
        requested.isoformat(),
        after(ANSWER_WORKING_DAYS) if within else None,
        after(COMPLETE_WORKING_DAYS) if within and Remedy(remedy) in CAR_REMEDIES else None,
    )


def finding_document(finding: RemedyFinding) -> dict[str, Any]:
    """The finding as plain JSON, for the case's snapshot and the decision it is weighed in.

    Art. 25's refund, the defences raised and the periods Civil Code Art. 203 moved appear only
    when the facts call for them, so a finding on facts without them is the document it always
    was (recorded decisions keep their hash).
    """
    document = asdict(finding)
    document["remedy"] = finding.remedy.value
    document["grounds"] = [_ground(g) for g in finding.grounds]
    document["if_proved"] = [_ground(g) for g in finding.if_proved]
    if finding.courtesy_car is None:
        del document["courtesy_car"]
    if finding.no_comparable_car is None:
        del document["no_comparable_car"]
    else:
        document["no_comparable_car"] = _ground(finding.no_comparable_car)
    if not finding.if_proved:
        del document["if_proved"]
    if finding.moved_periods:
        document["moved_periods"] = [asdict(moved) for moved in finding.moved_periods]
    else:
        del document["moved_periods"]
    return document


def claimed_remedy(
    raw: dict[str, Any], answered: Sequence[str] = (), calendar: WorkCalendar | None = None
) -> dict[str, Any]:
    """The finding on the claim's facts, weighing the defences the claim states and those the
    respondent raised in its answer (`answered`, known defence names), all as raised, not proved;
    its periods counted on the case's `calendar` (Civil Code Art. 203)."""
    if answered:  # a defence both raised is weighed once
        claimed = raw.get("defences", [])
        raw = {**raw, "defences": [*claimed, *(d for d in answered if d not in claimed)]}
    return finding_document(statutory_remedy(car_facts_from_claim(raw, calendar)))


def _ground(ground: Any) -> dict[str, Any]:
    return {**asdict(ground), "remedy": ground.remedy.value}


def _day(value: Any, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCarFacts(f"{name} must be a date as YYYY-MM-DD") from None
