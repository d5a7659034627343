"""The case machine's main paths, step by step with real signatures."""

from datetime import timedelta

from domain.case.state import CasePhase
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from expert_panels.draw import verify_draw
from tests.kits.dispute_kit import CAR, DISPUTED, CaseKit


def decide_round(kit: CaseKit, proposals: list[int | None], **summary) -> str:
    seats = kit.form_panel()
    assert kit.m.phase is CasePhase.EVIDENCE
    kit.step("claimant", "evidence.submit", {"evidence": [file_hash(b"photos")]})
    kit.tick(timedelta(days=14))
    assert kit.m.phase is CasePhase.VOTING
    kit.vote(dict(zip(seats, proposals, strict=True)))
    assert kit.m.phase is CasePhase.SUMMARY
    chair = kit.m.round.draw.chair
    kit.step(chair, "decision.summarise", {"summary": "the floor leaks; the tiles are fine", **summary})
    decision_hash = kit.m.round.decision_hash
    for expert_id in seats:
        kit.step(expert_id, "decision.sign", {"decision_hash": decision_hash})
    kit.step("council", "decision.countersign", {"decision_hash": decision_hash})
    return decision_hash


def test_renovation_case_from_filing_to_escrow_enforcement():
    kit = CaseKit()
    kit.to_draw()
    assert kit.m.phase is CasePhase.DRAW
    decide_round(kit, [600_000, 400_000, 500_000], outcome="split")
    assert kit.m.phase is CasePhase.OBJECTION
    kit.tick(timedelta(days=15))
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert kit.m.outcome.pay_fen == 500_000 and kit.m.outcome.refund_fen == DISPUTED - 500_000

    wrong = kit.signed(
        "council",
        "dispute.decide",
        {
            "dispute": 1,
            "outcome": "split",
            "pay_fen": 600_000,
            "refund_fen": 400_000,
            "reasons": "r",
            "decision_hash": "h",
        },
        subject="ESC-2026-00001",
    )
    rejection = kit.refused(
        "council",
        "enforcement.submit",
        {"escrow_step": {"envelope": wrong.envelope, "signature": wrong.signature}},
    )
    assert rejection.code == "escrow_step_mismatch"
    right = kit.signed(
        "council",
        "dispute.decide",
        {
            "dispute": 1,
            "outcome": "split",
            "pay_fen": 500_000,
            "refund_fen": 500_000,
            "reasons": "r",
            "decision_hash": "h",
        },
        subject="ESC-2026-00001",
    )
    kit.step(
        "council",
        "enforcement.submit",
        {"escrow_step": {"envelope": right.envelope, "signature": right.signature}},
    )
    assert kit.m.needs_escrow_enforcement()
    kit.m.escrow_enforced()
    assert kit.m.finished


def test_the_draw_is_recorded_and_verifiable_and_never_seats_a_conflict():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.draw()
    record = kit.m.round.draw
    assert "EXP-000" not in seats and "EXP-000" in record.exclusions  # paid by the contractor
    assert verify_draw(record, kit.experts) == []


def test_declines_timeouts_and_strikes_pass_seats_to_alternates():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.draw()
    kit.step(seats[0], "declaration.sign", {"independent": False, "reason": "I consulted for the owner"})
    assert seats[0] not in kit.m.round.seats
    first_struck = next(iter(kit.m.round.seats))
    kit.step("claimant", "strike.submit", {"expert_id": first_struck, "reason": "wrote for the trade press"})
    assert first_struck not in kit.m.round.seats
    assert (
        kit.refused(
            "claimant", "strike.submit", {"expert_id": next(iter(kit.m.round.seats)), "reason": "again"}
        ).code
        == "strike_used"
    )
    kit.tick(timedelta(days=2))  # nobody declared: every seat times out and passes on, or the draw restarts
    assert kit.m.phase in (CasePhase.PANEL, CasePhase.DRAW)
    assert set(kit.m.set_aside) >= {seats[0], first_struck}


def test_settlement_closes_the_case_for_enforcement():
    kit = CaseKit()
    kit.step("council", "case.accept", {})
    offer = kit.settlement(300_000, 700_000)
    kit.step("respondent", "settlement.sign", offer)
    assert kit.m.phase is CasePhase.ANSWER
    assert kit.refused("respondent", "settlement.sign", offer).code == "already_signed"
    kit.step("claimant", "settlement.sign", offer)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert kit.m.outcome.source == "settlement"


def test_an_objection_goes_to_a_larger_panel_with_no_overlap():
    kit = CaseKit()
    kit.to_draw()
    decide_round(kit, [600_000, 400_000, 500_000], outcome="split")
    first_panel = set(kit.m.round.seats)
    kit.step("respondent", "decision.object", {"reason": "the panel ignored the moisture readings"})
    assert kit.m.phase is CasePhase.DRAW
    seats = kit.draw(seed="appeal")
    assert len(seats) == 5 and not first_panel & set(seats)


def test_car_case_ends_with_the_dealer_confirming_or_on_the_record():
    kit = CaseKit(CAR)
    kit.to_draw()
    decide_round(kit, [None, None, None], remedy="refund_or_replace")
    kit.tick(timedelta(days=15))
    assert kit.m.phase is CasePhase.ENFORCEMENT
    kit.tick(timedelta(days=15))
    assert kit.m.phase is CasePhase.CLOSED and kit.m.noncompliant
    assert [a.kind for a in kit.m.alerts][-1] == "remedy_not_confirmed"


def test_out_of_turn_and_foreign_steps_are_refused():
    kit = CaseKit()
    assert kit.refused("claimant", "case.accept", {}).kind is RejectionKind.FORBIDDEN
    assert kit.refused("council", "answer.submit", {"text": "x"}).code == "wrong_role"
    assert kit.refused("respondent", "answer.submit", {"text": "x"}).code == "wrong_phase"
    kit.tick(timedelta(days=10))
    assert [a.kind for a in kit.m.alerts] == ["acceptance_overdue"]


def test_a_car_settlement_names_a_remedy_the_dealer_can_confirm():
    kit = CaseKit(CAR)
    kit.step("council", "case.accept", {})
    assert kit.refused("claimant", "settlement.sign", kit.settlement(0, 0)).code == "bad_choice"
    offer = kit.settlement(0, 0, "repair")
    kit.step("claimant", "settlement.sign", offer)
    kit.step("respondent", "settlement.sign", offer)
    kit.step("respondent", "remedy.confirm", {"remedy": "repair"})
    assert kit.m.phase is CasePhase.CLOSED and not kit.m.noncompliant
