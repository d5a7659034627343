"""The claimant withdraws a case: any time before a decision is countersigned."""

from collections.abc import Callable
from dataclasses import asdict

import pytest

from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from tests.kits.dispute_kit import CAR, RENOVATION, BranchKit

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
REASON = {"reason": "the dealer replaced the gearbox after all"}
WITHDRAWN = {
    "source": "withdrawal",
    "outcome": "withdrawn",
    "reason": REASON["reason"],
    "pay_fen": 0,
    "refund_fen": 0,
    "remedy": "-",
    "rework_days": 0,
}


def withdrawal(kit: BranchKit, who: str = "claimant", **changes) -> dict:
    """The case step with the claimant's `dispute.withdraw` for the escrow inside it."""
    subject = changes.pop("subject", "ESC-2026-00001")
    action = changes.pop("action", "dispute.withdraw")
    payload = {"dispute": 1, "case_id": kit.m.subject_id, **changes}
    step = kit.key_for(who).sign_step(
        action=action, subject=subject, signer=kit.signer_id(who), payload=payload, now=kit.now
    )
    return {**REASON, "escrow_step": {"envelope": step.envelope, "signature": step.signature}}


def filed(kit: BranchKit) -> None:
    assert kit.m.phase is CasePhase.FILED


def answering(kit: BranchKit) -> None:
    kit.step("council", "case.accept", {})


def negotiating(kit: BranchKit) -> None:
    answering(kit)
    kit.step("respondent", "answer.submit", {"text": "answer"})


def drawing(kit: BranchKit) -> None:
    kit.to_draw()


def panelled(kit: BranchKit) -> None:
    kit.to_draw()
    kit.draw()


def hearing(kit: BranchKit) -> None:
    kit.to_evidence()


def voting(kit: BranchKit) -> None:
    kit.to_voting()


def signing(kit: BranchKit) -> None:
    kit.to_voting()
    kit.vote(dict(zip(kit.seats, [None] * 3 if kit.m.terms.domain == CAR else [1, 2, 3], strict=True)))
    kit.summarise(**({"remedy": "repair"} if kit.m.terms.domain == CAR else {"outcome": "split"}))


STAGES: list[Callable[[BranchKit], None]] = [
    filed,
    answering,
    negotiating,
    drawing,
    panelled,
    hearing,
    voting,
    signing,
]


@pytest.mark.parametrize("reach", STAGES, ids=lambda f: f.__name__)
def test_a_car_case_is_withdrawn_at_once_in_any_phase_before_the_countersignature(reach):
    kit = BranchKit(CAR)
    reach(kit)
    kit.reject("respondent", "case.withdraw", REASON, FORBIDDEN, "wrong_role")
    kit.reject("council", "case.withdraw", REASON, FORBIDDEN, "wrong_role")
    kit.step("claimant", "case.withdraw", REASON)
    assert (kit.m.phase, asdict(kit.m.outcome), kit.m.finished) == (CasePhase.CLOSED, WITHDRAWN, True)
    assert kit.m.next_deadline() is None and kit.m.draw_request(kit.now) is None
    assert kit.m.snapshot().outcome.outcome == "withdrawn"
    kit.reject("claimant", "case.withdraw", REASON, CONFLICT, "wrong_phase")


@pytest.mark.parametrize("reach", STAGES, ids=lambda f: f.__name__)
def test_a_renovation_case_hands_the_claimants_withdrawal_to_its_escrow(reach):
    kit = BranchKit(RENOVATION)
    reach(kit)
    payload = withdrawal(kit)
    kit.step("claimant", "case.withdraw", payload)
    assert (kit.m.phase, asdict(kit.m.outcome)) == (CasePhase.ENFORCEMENT, WITHDRAWN)
    assert asdict(kit.m.escrow_step) == payload["escrow_step"] and kit.m.needs_escrow_enforcement()
    assert not kit.m.awaits_escrow_step()  # the council has nothing to sign
    kit.m.escrow_enforced()
    assert kit.m.phase is CasePhase.CLOSED and not kit.m.needs_escrow_enforcement()


def test_a_withdrawal_the_escrow_refuses_still_ends_the_case_and_tells_the_council():
    kit = BranchKit(RENOVATION)
    negotiating(kit)
    kit.step("claimant", "case.withdraw", withdrawal(kit))
    kit.m.escrow_refused("no_open_dispute: dispute 1 is not open", kit.now)
    assert kit.m.phase is CasePhase.CLOSED and asdict(kit.m.outcome) == WITHDRAWN
    assert kit.m.escrow_step is None and not kit.m.needs_escrow_enforcement()
    assert [a.kind for a in kit.m.alerts] == ["escrow_refused_withdrawal"]


@pytest.mark.parametrize(
    ("build", "kind", "code"),
    [
        (lambda k: REASON, INVALID, "not_an_object"),
        (lambda k: withdrawal(k, "respondent"), FORBIDDEN, "bad_escrow_step"),
        (lambda k: withdrawal(k, "council"), FORBIDDEN, "bad_escrow_step"),
        (lambda k: withdrawal(k, dispute=2), INVALID, "escrow_step_mismatch"),
        (lambda k: withdrawal(k, case_id="CASE-2026-00002"), INVALID, "escrow_step_mismatch"),
        (lambda k: withdrawal(k, reasons="extra"), INVALID, "escrow_step_mismatch"),
        (lambda k: withdrawal(k, action="dispute.raise"), INVALID, "escrow_step_mismatch"),
        (lambda k: withdrawal(k, subject="ESC-2026-00002"), INVALID, "escrow_step_mismatch"),
        (lambda k: {**withdrawal(k), "reason": ""}, INVALID, "not_text"),
    ],
)
def test_a_renovation_withdrawal_without_the_claimants_exact_escrow_step_is_refused(build, kind, code):
    kit = BranchKit(RENOVATION)
    negotiating(kit)
    kit.reject("claimant", "case.withdraw", build(kit), kind, code)


def test_a_case_without_an_escrow_takes_no_escrow_step():
    kit = BranchKit(RENOVATION, escrow=False)
    kit.reject("claimant", "case.withdraw", withdrawal(kit), INVALID, "no_escrow")
    kit.step("claimant", "case.withdraw", REASON)
    assert kit.m.phase is CasePhase.CLOSED


def test_once_the_decision_is_countersigned_it_can_no_longer_be_withdrawn():
    kit = BranchKit(CAR)
    kit.to_draw()
    kit.decide([None] * 3, remedy="repair")
    assert kit.m.phase is CasePhase.OBJECTION
    kit.reject("claimant", "case.withdraw", REASON, CONFLICT, "wrong_phase")
    kit.step("respondent", "decision.object", {"reason": "a repair is too much"})
    kit.reject("claimant", "case.withdraw", REASON, CONFLICT, "decision_made")  # nor during the appeal


def test_a_settled_or_rejected_case_cannot_be_withdrawn():
    settled = BranchKit(CAR)
    negotiating(settled)
    for side in ("claimant", "respondent"):
        settled.step(side, "settlement.sign", settled.settlement(0, 0, "repair"))
    assert settled.m.phase is CasePhase.ENFORCEMENT
    settled.reject("claimant", "case.withdraw", REASON, CONFLICT, "wrong_phase")
    rejected = BranchKit(CAR)
    rejected.step("council", "case.reject", {"reasons": "not a consumer dispute"})
    rejected.reject("claimant", "case.withdraw", REASON, CONFLICT, "wrong_phase")


def test_a_case_whose_escrow_both_sides_cancelled_closes_with_nothing_to_enforce():
    kit = BranchKit(RENOVATION)
    hearing(kit)
    kit.m.escrow_cancelled(kit.now)
    assert (kit.m.phase, kit.m.outcome.source, kit.m.outcome.outcome) == (
        CasePhase.CLOSED,
        "cancellation",
        "withdrawn",
    )
    assert kit.alerts("escrow_cancelled") == ["escrow-cancelled"] and kit.m.next_deadline() is None
    version = kit.m.version
    kit.m.escrow_cancelled(kit.now)  # told twice, or after it ended on its own: nothing changes
    assert kit.m.version == version and len(kit.m.alerts) == 1
