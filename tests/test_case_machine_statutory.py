"""A car claim that states its facts shows the panel the statutory remedy; departing needs a reason."""

import pytest

from domain.case.machine import terms_document
from domain.case.outcomes import decision_document
from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from expert_panels.car_claim import claimed_remedy
from tests.kits.dispute_kit import CAR, BranchKit

INVALID = RejectionKind.INVALID
GEARBOX_IN_FIRST_WEEK = {
    "delivered_on": "2026-02-24",
    "fault_on": "2026-03-01",
    "km": 412,
    "fault_part": "transmission",
    "needs_main_part_replacement": True,
}


def summarising(car_facts: dict | None = GEARBOX_IN_FIRST_WEEK) -> BranchKit:
    kit = BranchKit(CAR, car_facts=car_facts)
    kit.to_voting()
    kit.vote(dict.fromkeys(kit.seats))
    assert kit.m.phase is CasePhase.SUMMARY
    return kit


def test_the_snapshot_shows_what_the_regulation_gives_on_the_claimed_facts():
    kit = BranchKit(CAR, car_facts=GEARBOX_IN_FIRST_WEEK)
    shown = kit.m.snapshot()
    assert shown.car_facts == GEARBOX_IN_FIRST_WEEK
    assert shown.statutory_remedy["remedy"] == "refund_or_replace"
    assert shown.statutory_remedy["article"].endswith("第二十二条")
    assert [g["remedy"] for g in shown.statutory_remedy["grounds"]] == [
        "refund_or_replace",
        "replace_part",
        "repair",
    ]


def test_confirming_the_statutory_remedy_needs_no_reason_and_says_none():
    kit = summarising()
    kit.reject(
        kit.chair,
        "decision.summarise",
        {"summary": "s", "remedy": "refund_or_replace", "departure_reason": "x"},
        INVALID,
        "not_a_departure",
    )
    kit.summarise(remedy="refund_or_replace")
    decision = kit.m.round.decision
    assert decision.statutory_remedy["remedy"] == "refund_or_replace" and decision.departure_reason is None


def test_departing_from_it_needs_the_panels_reason_which_the_decision_keeps():
    kit = summarising()
    refused = kit.reject(
        kit.chair,
        "decision.summarise",
        {"summary": "s", "remedy": "repair"},
        INVALID,
        "departure_reason_required",
    )
    assert "refund_or_replace" in refused.message and "第二十二条" in refused.message
    reason = "the gearbox fault was caused by a flood after delivery, not a quality problem"
    kit.summarise(remedy="repair", departure_reason=reason)
    assert (kit.m.round.decision.remedy, kit.m.round.decision.departure_reason) == ("repair", reason)
    kit.sign_decision()
    assert kit.m.phase is CasePhase.OBJECTION


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_departure_reason_is_no_reason(reason):
    kit = summarising()
    kit.reject(
        kit.chair,
        "decision.summarise",
        {"summary": "s", "remedy": "repair", "departure_reason": reason},
        INVALID,
        "not_text",
    )


def test_a_car_claim_without_facts_has_no_statutory_remedy_to_depart_from():
    kit = summarising(car_facts=None)
    assert kit.m.snapshot().statutory_remedy is None
    kit.reject(
        kit.chair,
        "decision.summarise",
        {"summary": "s", "remedy": "repair", "departure_reason": "x"},
        INVALID,
        "not_a_departure",
    )
    kit.summarise(remedy="repair")
    assert "statutory_remedy" not in decision_document(kit.m.round.decision)  # decided as before the rule


def test_a_case_without_car_facts_starts_its_trail_from_the_same_terms_as_before():
    kit = BranchKit(CAR)
    assert "car_facts" not in terms_document(kit.m.terms)
    stated = BranchKit(CAR, car_facts=GEARBOX_IN_FIRST_WEEK)
    assert terms_document(stated.m.terms)["car_facts"] == GEARBOX_IN_FIRST_WEEK
    assert stated.m.snapshot().statutory_remedy == claimed_remedy(GEARBOX_IN_FIRST_WEEK)
