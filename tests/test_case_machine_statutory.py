"""A car claim that states its facts shows the panel the statutory remedy; departing needs a reason."""

from datetime import timedelta

import pytest

from domain.case.machine import terms_document
from domain.case.outcomes import decision_document
from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from expert_panels.car_claim import claimed_remedy
from expert_panels.car_remedy import REGULATION
from tests.kits.dispute_kit import CAR, RENOVATION, BranchKit

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


# ---------------------------------------------- the dealer's defences, raised in its answer
def answering(domain: str = CAR, car_facts: dict | None = GEARBOX_IN_FIRST_WEEK) -> BranchKit:
    kit = BranchKit(domain, car_facts=car_facts)
    kit.step("council", "case.accept", {})
    assert kit.m.phase is CasePhase.ANSWER
    return kit


def test_a_defence_the_dealer_raises_is_weighed_as_raised_and_listed_with_its_article():
    kit = answering()
    kit.step(
        "respondent", "answer.submit", {"text": "the owner fitted a tuning kit", "defences": ["modification"]}
    )
    shown = kit.m.snapshot()
    assert shown.answer.defences == ["modification"]
    # Art. 32 exempts the business only once the defence is proved: the remedy stands meanwhile
    assert shown.statutory_remedy["remedy"] == "refund_or_replace"
    assert shown.statutory_remedy["if_proved"] == [
        {
            "rule": "art32_modification",
            "article": f"{REGULATION}第三十二条第一款第（三）项",  # Art. 32 para. 1 item (3)
            "remedy": "none",
        }
    ]
    assert shown.statutory_remedy == claimed_remedy({**GEARBOX_IN_FIRST_WEEK, "defences": ["modification"]})


def test_the_panel_weighs_the_remedy_with_the_dealers_defences():
    kit = BranchKit(CAR, car_facts=GEARBOX_IN_FIRST_WEEK)
    kit.step("council", "case.accept", {})
    kit.step("respondent", "answer.submit", {"text": "a", "defences": ["force_majeure"]})
    kit.tick(timedelta(days=10))
    kit.form_panel()
    kit.run_to(kit.m.round.reply_due)
    kit.vote(dict.fromkeys(kit.seats))
    kit.summarise(remedy="refund_or_replace")
    weighed = kit.m.round.decision.statutory_remedy
    assert [change["rule"] for change in weighed["if_proved"]] == ["art32_force_majeure"]


def test_the_claims_defences_and_the_answers_are_weighed_together_each_once():
    facts = {**GEARBOX_IN_FIRST_WEEK, "defences": ["not_as_manual"]}
    kit = answering(car_facts=facts)
    kit.step("respondent", "answer.submit", {"text": "a", "defences": ["not_household_use", "not_as_manual"]})
    proved = [change["rule"] for change in kit.m.snapshot().statutory_remedy["if_proved"]]
    assert proved == ["art32_not_as_manual", "art40_not_household"]  # in the order of `Defence`


def test_an_answer_without_defences_leaves_the_statutory_remedy_as_claimed():
    kit = answering()
    before = kit.m.snapshot().statutory_remedy
    kit.step("respondent", "answer.submit", {"text": "we will repair it"})
    shown = kit.m.snapshot()
    assert shown.statutory_remedy == before == claimed_remedy(GEARBOX_IN_FIRST_WEEK)
    assert "if_proved" not in shown.statutory_remedy and shown.answer.defences == []


def test_a_car_claim_without_facts_keeps_the_dealers_defences_in_the_answer_only():
    kit = answering(car_facts=None)
    kit.step("respondent", "answer.submit", {"text": "a", "defences": ["disclosed_defect"]})
    shown = kit.m.snapshot()
    assert (shown.answer.defences, shown.statutory_remedy) == (["disclosed_defect"], None)


@pytest.mark.parametrize(
    ("defences", "code"),
    [
        (["acts_of_god"], "bad_choice"),  # not one of Order No. 43's defences
        ("modification", "not_a_list"),
        (["modification", "modification"], "duplicate_defences"),
    ],
)
def test_a_defence_the_regulation_does_not_know_or_named_twice_is_refused(defences, code):
    kit = answering()
    kit.reject("respondent", "answer.submit", {"text": "a", "defences": defences}, INVALID, code)


def test_a_renovation_answer_raises_no_car_defences():
    kit = answering(domain=RENOVATION, car_facts=None)
    refused = kit.reject(
        "respondent",
        "answer.submit",
        {"text": "a", "defences": ["force_majeure"]},
        INVALID,
        "defences_for_cars_only",
    )
    assert "Order No. 43" in refused.message
    kit.step("respondent", "answer.submit", {"text": "a", "defences": []})  # none raised is no defence
    assert kit.m.snapshot().answer.defences == []


def test_a_period_ending_on_a_rest_day_is_counted_on_the_cases_calendar():
    """Civil Code Art. 203 on the case's own work calendar: delivered Saturday 21 February 2026, Art.
    22's 7 days end on Saturday the 28th and run to Monday 2 March, so a gearbox failing that
    Monday is still the refund or replacement; the finding names the moved end, before and after
    the dealer's answer weighs its defences."""
    facts = {**GEARBOX_IN_FIRST_WEEK, "delivered_on": "2026-02-21", "fault_on": "2026-03-02"}
    kit = BranchKit(CAR, car_facts=facts)
    moved = [("refund_window", "2026-02-28", "2026-03-02")]

    def shown() -> tuple[str, list]:
        statutory = kit.m.snapshot().statutory_remedy
        periods = [(m["period"], m["last_day"], m["moved_to"]) for m in statutory["moved_periods"]]
        return statutory["remedy"], periods

    assert shown() == ("refund_or_replace", moved)
    assert claimed_remedy(facts)["remedy"] == "replace_part"  # counted without the calendar
    kit.step("council", "case.accept", {})
    kit.step("respondent", "answer.submit", {"text": "the gearbox was abused", "defences": ["not_as_manual"]})
    assert shown() == ("refund_or_replace", moved)
