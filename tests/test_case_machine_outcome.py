"""Case machine, steps 7 and 8: objection, appeal, enforcement through the escrow or by the dealer."""

from dataclasses import asdict
from datetime import timedelta

import pytest

from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from tests.kits.dispute_kit import CAR, DISPUTED, BranchKit

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)
SPLIT = [600_000, 400_000, 500_000]  # median 500,000


def decided(domain: str = "renovation", proposals=None, *, escrow: bool = True, **summary) -> BranchKit:
    """A case with a countersigned first-instance decision, in its objection window."""
    kit = BranchKit(domain, escrow=escrow)
    kit.to_draw()
    if domain == CAR:
        kit.decide(proposals or [None] * 3, **(summary or {"remedy": "refund_or_replace"}))
    else:
        kit.decide(proposals or SPLIT, **(summary or {"outcome": "split"}))
    assert kit.m.phase is CasePhase.OBJECTION
    return kit


def enforcing(domain: str = "renovation", proposals=None, *, escrow: bool = True, **summary) -> BranchKit:
    kit = decided(domain, proposals, escrow=escrow, **summary)
    kit.run_to(kit.m.objection_due)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    return kit


# ------------------------------------------------------------------ objection
@pytest.mark.parametrize("party", ["claimant", "respondent"])
def test_an_objection_within_fifteen_days_opens_the_appeal_to_five_experts(party):
    kit = decided()
    first_panel = set(kit.seats)
    assert kit.m.objection_due == kit.now + 15 * DAY
    kit.run_to(kit.m.objection_due - SECOND)
    kit.step(party, "decision.object", {"reason": "the moisture readings were ignored"})
    assert asdict(kit.m.objection) == {"party": party, "reason": "the moisture readings were ignored"}
    assert (kit.m.phase, [r.number for r in kit.m.rounds]) == (CasePhase.DRAW, [1, 2])
    assert kit.m.outcome is None and kit.m.draw_request(kit.now) is not None
    # nothing is due but the mediation period (SAMR Order No. 20 art. 21(5)), which still runs
    assert kit.m.next_deadline() == kit.m._mediation_alert_at(kit.m.mediation)
    appeal = kit.draw(seed="appeal")
    assert len(appeal) == 5 and not first_panel & set(appeal)
    assert kit.m.rounds[0].decision is not None  # the first decision is kept


def test_after_the_objection_window_the_decision_concludes():
    kit = decided()
    decision_hash = kit.m.round.decision_hash
    kit.run_to(kit.m.objection_due)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert asdict(kit.m.outcome) == {
        "source": "decision",
        "outcome": "split",
        "pay_fen": 500_000,
        "refund_fen": DISPUTED - 500_000,
        "remedy": "-",
        "rework_days": 0,
        "decision_hash": decision_hash,
        "expert_opinion": False,  # concluded within the mediation period
    }
    kit.reject("claimant", "decision.object", {"reason": "late"}, CONFLICT, "wrong_phase")


def test_an_objection_after_the_window_is_refused_even_before_the_timer_fires():
    kit = decided()
    kit.now = kit.m.objection_due  # the window is over; the workflow has not applied the deadline yet
    kit.reject("claimant", "decision.object", {"reason": "late"}, CONFLICT, "objection_window_closed")


@pytest.mark.parametrize(
    ("who", "payload", "kind", "code"),
    [
        ("council", {"reason": "x"}, FORBIDDEN, "wrong_role"),
        ("claimant", {}, INVALID, "missing_fields"),
        ("claimant", {"reason": ""}, INVALID, "not_text"),
    ],
)
def test_bad_objections_are_refused(who, payload, kind, code):
    kit = decided()
    kit.reject(who, "decision.object", payload, kind, code)


def test_an_expert_cannot_object():
    kit = decided()
    kit.reject(kit.chair, "decision.object", {"reason": "x"}, FORBIDDEN, "wrong_role")


def test_no_objection_before_the_countersignature():
    kit = BranchKit()
    kit.to_voting()
    kit.reject("respondent", "decision.object", {"reason": "x"}, CONFLICT, "wrong_phase")


def test_the_appeal_decision_concludes_at_its_countersignature_with_no_objection_possible():
    kit = decided()
    kit.step("respondent", "decision.object", {"reason": "too much"})
    appeal_hash = kit.decide([300_000, 100_000, 200_000, 400_000, 500_000], outcome="split")
    assert len(kit.seats) == 5 and kit.m.round.number == 2
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert (kit.m.outcome.pay_fen, kit.m.outcome.decision_hash) == (300_000, appeal_hash)
    assert kit.m.objection_due < kit.now  # the first window is history
    kit.reject("claimant", "decision.object", {"reason": "again"}, CONFLICT, "wrong_phase")


def test_a_car_appeal_concludes_with_the_appeal_panels_remedy():
    kit = decided(CAR)
    kit.step("respondent", "decision.object", {"reason": "a repair is enough"})
    kit.decide([None] * 5, remedy="repair")
    assert (kit.m.phase, kit.m.outcome.remedy) == (CasePhase.ENFORCEMENT, "repair")
    assert kit.m.remedy_due == kit.now + 15 * DAY


# ------------------------------------------------------- renovation enforcement
def test_the_council_hands_the_escrow_a_matching_decision_and_the_escrow_applies_it():
    kit = enforcing()
    kit.reject("council", "enforcement.submit", {}, INVALID, "missing_fields")
    kit.reject("claimant", "enforcement.submit", kit.escrow_step(), FORBIDDEN, "wrong_role")
    payload = kit.escrow_step(outcome="split", pay_fen=500_000, refund_fen=500_000)
    kit.step("council", "enforcement.submit", payload)
    assert asdict(kit.m.escrow_step) == payload["escrow_step"] and kit.m.needs_escrow_enforcement()
    kit.reject(
        "council",
        "enforcement.submit",
        kit.escrow_step(outcome="split", pay_fen=500_000, refund_fen=500_000),
        CONFLICT,
        "already_submitted",
    )
    kit.m.escrow_enforced()
    assert kit.m.phase is CasePhase.CLOSED and kit.m.finished and not kit.m.needs_escrow_enforcement()


RIGHT = {"outcome": "split", "pay_fen": 500_000, "refund_fen": 500_000}


@pytest.mark.parametrize(
    ("build", "kind", "code"),
    [
        (
            lambda k: k.escrow_step(**{**RIGHT, "pay_fen": 600_000, "refund_fen": 400_000}),
            INVALID,
            "escrow_step_mismatch",
        ),
        (lambda k: k.escrow_step(**{**RIGHT, "refund_fen": 499_999}), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step(**{**RIGHT, "outcome": "refund"}), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step(**{**RIGHT, "rework_days": 3}), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step(**{**RIGHT, "dispute": 2}), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step(subject="ESC-2026-00002", **RIGHT), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step(action="dispute.raise", **RIGHT), INVALID, "escrow_step_mismatch"),
        (lambda k: k.escrow_step("claimant", **RIGHT), FORBIDDEN, "bad_escrow_step"),  # not council
        (lambda k: k.escrow_step(k.chair, **RIGHT), FORBIDDEN, "bad_escrow_step"),  # an expert
        (lambda k: council_id_other_key(k), FORBIDDEN, "bad_escrow_step"),  # wrong signer key
        (lambda k: tampered(k.escrow_step(**RIGHT)), FORBIDDEN, "bad_escrow_step"),
        (lambda k: {"escrow_step": {"envelope": {}, "signature": "x"}}, INVALID, "bad_escrow_step"),
        (
            lambda k: {"escrow_step": {**k.escrow_step(**RIGHT)["escrow_step"], "by": "me"}},
            INVALID,
            "bad_escrow_step",
        ),
        (lambda k: {"escrow_step": "signed"}, INVALID, "not_an_object"),
    ],
)
def test_an_escrow_step_that_does_not_match_the_outcome_exactly_is_refused(build, kind, code):
    kit = enforcing()
    kit.reject("council", "enforcement.submit", build(kit), kind, code)


def council_id_other_key(kit: BranchKit) -> dict:
    step = kit.keys["respondent"].sign_step(
        action="dispute.decide",
        subject="ESC-2026-00001",
        signer="P-COUNCIL",
        payload={"dispute": 1, **RIGHT},
        now=kit.now,
    )
    return {"escrow_step": {"envelope": step.envelope, "signature": step.signature}}


def tampered(payload: dict) -> dict:
    envelope = payload["escrow_step"]["envelope"]
    envelope["payload"] = {**envelope["payload"], "pay_fen": 0, "refund_fen": DISPUTED}
    return payload


@pytest.mark.parametrize(
    ("proposals", "summary", "step"),
    [
        ([0, 0, 0], {"outcome": "refund"}, {"outcome": "refund", "refund_fen": DISPUTED}),
        ([0, 0, 0], {"outcome": "refund"}, {"outcome": "refund", "pay_fen": 0, "refund_fen": DISPUTED}),
        ([0, 0, 0], {"outcome": "split"}, {"outcome": "split", "pay_fen": 0, "refund_fen": DISPUTED}),
        (SPLIT, {"outcome": "rework", "rework_days": 10}, {"outcome": "rework", "rework_days": 10}),
    ],
)
def test_refund_and_rework_decisions_are_enforced_with_exactly_their_terms(proposals, summary, step):
    kit = enforcing(proposals=proposals, **summary)
    kit.step("council", "enforcement.submit", kit.escrow_step(**step))
    assert kit.m.needs_escrow_enforcement()


def test_a_rework_step_that_also_moves_money_is_refused():
    kit = enforcing(proposals=SPLIT, outcome="rework", rework_days=10)
    step = kit.escrow_step(outcome="rework", rework_days=10, pay_fen=500_000)
    kit.reject("council", "enforcement.submit", step, INVALID, "escrow_step_mismatch")


def test_a_settlement_is_enforced_through_the_escrow_too():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    for party in ("claimant", "respondent"):
        kit.step(party, "settlement.sign", kit.settlement(250_000, 750_000))
    kit.reject("council", "enforcement.submit", kit.escrow_step(**RIGHT), INVALID, "escrow_step_mismatch")
    kit.step(
        "council", "enforcement.submit", kit.escrow_step(outcome="split", pay_fen=250_000, refund_fen=750_000)
    )


def test_when_the_escrow_refuses_the_step_is_cleared_the_council_is_alerted_and_may_submit_again():
    kit = enforcing()
    kit.step("council", "enforcement.submit", kit.escrow_step(**RIGHT))
    version = kit.m.version
    kit.m.escrow_refused("the stage was settled meanwhile", kit.now)
    assert kit.m.escrow_step is None and not kit.m.needs_escrow_enforcement()
    assert kit.m.phase is CasePhase.ENFORCEMENT and kit.m.version == version + 1
    assert kit.alerts("escrow_refused_decision") == [f"escrow-refused:{version}"]
    assert kit.m.alerts[-1].params == {"detail": "the stage was settled meanwhile"}
    kit.step("council", "enforcement.submit", kit.escrow_step(**RIGHT))
    assert kit.m.needs_escrow_enforcement()


def test_enforcement_is_refused_before_the_outcome_and_without_an_escrow():
    kit = decided()
    kit.reject("council", "enforcement.submit", kit.escrow_step(**RIGHT), CONFLICT, "wrong_phase")
    kit = decided(escrow=False)
    kit.run_to(kit.m.objection_due)
    kit.reject("council", "enforcement.submit", kit.escrow_step(**RIGHT), CONFLICT, "no_escrow")
    kit = enforcing(CAR)
    kit.reject("council", "enforcement.submit", kit.escrow_step(**RIGHT), CONFLICT, "no_escrow")


def test_a_renovation_its_escrow_enforces_has_no_remedy_to_confirm():
    kit = enforcing()
    assert kit.m.remedy_due is None
    kit.reject("respondent", "remedy.confirm", {"remedy": "-"}, CONFLICT, "enforced_by_escrow")


def test_a_renovation_without_an_escrow_confirms_its_outcome_in_the_remedy_window():
    kit = enforcing(escrow=False)
    assert kit.m.remedy_due == kit.now + 15 * DAY
    kit.reject("respondent", "remedy.confirm", {"remedy": "-"}, INVALID, "remedy_mismatch")
    kit.step("respondent", "remedy.confirm", {"remedy": "split"})
    assert kit.m.phase is CasePhase.CLOSED and not kit.m.noncompliant
    assert kit.m.advance_claim() is None


def test_a_renovation_decision_not_complied_with_is_a_claim_on_the_fund_for_its_refund():
    kit = enforcing(escrow=False)
    assert kit.m.advance_claim() is None  # not overdue yet
    kit.run_to(kit.m.remedy_due)
    assert kit.m.noncompliant
    claim = kit.m.advance_claim()
    outcome = kit.m.outcome
    assert claim is not None and claim.decided_fen == outcome.refund_fen > 0
    assert (claim.case_id, claim.decision_hash) == (kit.m.subject_id, outcome.decision_hash)
    assert claim.overdue_at == kit.m.remedy_due
    assert (claim.claimant_id, claim.respondent_id) == (
        kit.m.terms.claimant.party_id,
        kit.m.terms.respondent.party_id,
    )


@pytest.mark.parametrize(("remedy", "claimable"), [("refund_or_replace", True), ("repair", False)])
def test_a_car_refund_not_complied_with_is_claimable_up_to_the_disputed_amount(remedy, claimable):
    kit = enforcing(CAR, remedy=remedy)
    kit.run_to(kit.m.remedy_due)
    claim = kit.m.advance_claim()
    if claimable:
        assert claim is not None and claim.decided_fen == kit.m.terms.disputed_fen
    else:
        assert claim is None  # a repair is not money: no fund pays it


# -------------------------------------------------------------- car enforcement
def test_the_dealer_confirms_the_decided_remedy():
    kit = enforcing(CAR)
    assert kit.m.remedy_due == kit.now + 15 * DAY and kit.m.next_deadline() == kit.m.remedy_due
    kit.reject("respondent", "remedy.confirm", {"remedy": "repair"}, INVALID, "remedy_mismatch")
    kit.reject("respondent", "remedy.confirm", {}, INVALID, "missing_fields")
    kit.reject("claimant", "remedy.confirm", {"remedy": "refund_or_replace"}, FORBIDDEN, "wrong_role")
    kit.reject("council", "remedy.confirm", {"remedy": "refund_or_replace"}, FORBIDDEN, "wrong_role")
    kit.run_to(kit.m.remedy_due - SECOND)
    kit.step("respondent", "remedy.confirm", {"remedy": "refund_or_replace"})
    assert (kit.m.phase, kit.m.remedy_confirmed, kit.m.noncompliant) == (
        CasePhase.CLOSED,
        "refund_or_replace",
        False,
    )
    assert kit.m.finished and kit.m.next_deadline() is None
    kit.tick(30 * DAY)
    assert kit.alerts() == []
    kit.reject("respondent", "remedy.confirm", {"remedy": "refund_or_replace"}, CONFLICT, "wrong_phase")


def test_a_missed_confirmation_deadline_marks_the_dealer_noncompliant():
    kit = enforcing(CAR)
    kit.run_to(kit.m.remedy_due)
    assert (kit.m.phase, kit.m.noncompliant, kit.m.remedy_confirmed) == (CasePhase.CLOSED, True, None)
    assert kit.alerts() == ["remedy-not-confirmed"]
    kit.reject("respondent", "remedy.confirm", {"remedy": "refund_or_replace"}, CONFLICT, "wrong_phase")


def test_a_confirmation_after_the_deadline_is_refused_even_before_the_timer_fires():
    kit = enforcing(CAR)
    kit.now = kit.m.remedy_due
    kit.reject(
        "respondent", "remedy.confirm", {"remedy": "refund_or_replace"}, CONFLICT, "remedy_window_closed"
    )
