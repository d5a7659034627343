"""Case machine: when windows start if a timer is handled late, abandoned draws, paused targets."""

from datetime import timedelta

from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from expert_panels.draw import verify_abandoned_draw, verify_draw
from tests.kits.dispute_kit import CAR, BranchKit, expert

CONFLICT = RejectionKind.CONFLICT
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)
LATE = 3 * DAY  # how long the worker was down when a timer was due


def drawn(domain: str = "renovation") -> BranchKit:
    kit = BranchKit(domain)
    kit.to_draw()
    kit.draw()
    return kit


def formed() -> BranchKit:
    kit = drawn()
    kit.declare_all()
    assert kit.m.phase is CasePhase.EVIDENCE
    return kit


# ------------------------------------------------------------- late timers
def test_a_late_timer_does_not_shift_the_evidence_reply_and_vote_windows():
    kit = drawn()
    for expert_id in kit.seats:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    strike_due = kit.m.round.strike_due
    kit.run_to(strike_due + LATE)
    r = kit.m.round
    start = strike_due
    assert (r.formed_at, r.evidence_due, r.reply_due) == (start, start + 7 * DAY, start + 14 * DAY)
    assert r.decision_due == start + 28 * DAY
    reply_due = r.reply_due
    kit.run_to(reply_due + LATE)
    assert kit.m.phase is CasePhase.VOTING
    assert r.vote_due == reply_due + 7 * DAY


def test_a_declaration_after_the_strike_window_forms_the_panel_at_that_declaration():
    kit = drawn()
    for expert_id in kit.seats[:-1]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.tick(DAY)
    kit.step(kit.seats[-1], "declaration.sign", {"independent": False, "reason": "I know the owner"})
    kit.run_to(kit.m.round.strike_due + DAY)  # the newcomer's window runs past the strike window
    assert kit.m.phase is CasePhase.PANEL
    kit.step(kit.seats[-1], "declaration.sign", {"independent": True})
    assert kit.m.phase is CasePhase.EVIDENCE and kit.m.round.formed_at == kit.now


def test_another_step_after_the_strike_window_forms_the_panel_when_that_window_ended():
    kit = drawn()
    for expert_id in kit.seats:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.now = kit.m.round.strike_due + DAY  # the timer has not been handled yet
    kit.step("claimant", "settlement.sign", kit.settlement(500_000, 500_000))
    assert kit.m.phase is CasePhase.EVIDENCE and kit.m.round.formed_at == kit.m.round.strike_due


def test_silence_opens_negotiation_when_the_answer_window_ended():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    answer_due = kit.m.answer_due
    kit.run_to(answer_due + LATE)
    assert kit.m.phase is CasePhase.NEGOTIATION
    assert kit.m.negotiation_due == answer_due + 10 * DAY


def test_the_dealers_remedy_window_starts_when_the_objection_window_ended():
    kit = BranchKit(CAR)
    kit.to_draw()
    kit.decide([None] * 3, remedy="refund_or_replace")
    objection_due = kit.m.objection_due
    kit.run_to(objection_due + LATE)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    assert kit.m.remedy_due == objection_due + 15 * DAY


def test_an_alternate_declares_within_two_days_of_being_seated_however_late_the_timer():
    """Nobody can declare for a seat they have not been given: that window starts when it is given."""
    kit = drawn()
    leaver = kit.seats[0]
    for expert_id in kit.seats[1:]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.run_to(kit.m.round.seats[leaver].declaration_due + LATE)
    newcomer = kit.seats[-1]
    assert leaver not in kit.seats and kit.m.round.seats[newcomer].declaration_due == kit.now + 2 * DAY


def test_the_clock_cannot_be_paused_once_the_reply_window_ended_even_before_the_timer_fires():
    kit = formed()
    kit.now = kit.m.round.reply_due  # the timer has not been handled yet
    kit.reject("council", "clock.pause", {"reason": "lab"}, CONFLICT, "evidence_closed")


# ---------------------------------------------------------- abandoned draws
def tight_roster() -> list:
    """Exactly two main specialists (EXP-001, EXP-002): losing either breaks the quota of 2."""
    return [expert(1), expert(2), *(expert(n, "plumbing") for n in range(3, 7))]


def abandoned_after_a_strike() -> tuple[BranchKit, dict, str]:
    kit = BranchKit()
    kit.to_draw()
    kit.use_experts(tight_roster())
    kit.draw()
    as_drawn = kit.m.round.draw
    struck = next(e for e in kit.seats if e in ("EXP-001", "EXP-002"))
    kit.step("claimant", "strike.submit", {"expert_id": struck, "reason": "worked with the foreman"})
    assert kit.m.phase is CasePhase.DRAW and kit.m.round.draw is None
    return kit, as_drawn, struck


def test_a_restarted_draw_keeps_the_record_of_the_draw_it_gave_up_and_it_verifies():
    kit, as_drawn, struck = abandoned_after_a_strike()
    [gone] = kit.m.abandoned_draws
    assert (gone.round, gone.draw, gone.vacated) == (1, as_drawn, struck)
    assert gone.reason == "struck: claimant: worked with the foreman"
    assert "quota" in gone.problem and gone.abandoned_at == kit.now
    assert struck in gone.draw.panel and verify_draw(gone.draw, gone.candidates) == []
    assert verify_abandoned_draw(gone.draw, gone.candidates, leaving_id=struck, reason=gone.reason) == []
    assert kit.m.snapshot().abandoned_draws[0].vacated == struck
    kit.use_experts([*kit.experts, expert(7), expert(8)])
    kit.tick(DAY)
    kit.draw("seed-2")
    assert len(kit.m.abandoned_draws) == 1 and verify_draw(kit.record(), kit.recorded_candidates()) == []


def test_a_draw_given_up_although_an_alternate_could_take_the_seat_does_not_verify():
    kit = drawn()
    record, candidates = kit.record(), kit.recorded_candidates()
    problems = verify_abandoned_draw(record, candidates, leaving_id=kit.seats[0], reason="struck")
    assert problems and "without cause" in problems[0]


# ------------------------------------------------------ paused decision target
def test_paused_time_does_not_count_against_the_decision_target():
    kit = formed()
    r = kit.m.round
    target = r.formed_at + 28 * DAY
    kit.tick(DAY)
    kit.step("council", "clock.pause", {"reason": "teardown of the shower tray"})
    kit.run_to(target + DAY)  # still paused: the target is not running, nothing is overdue
    assert kit.alerts("decision_overdue") == [] and kit.m.next_deadline() is None
    kit.step("council", "clock.resume", {})
    paused_for = kit.now - (r.formed_at + DAY)
    assert r.decision_due == target + paused_for
    kit.run_to(r.reply_due)
    kit.run_to(r.vote_due)
    kit.run_to(r.decision_due - SECOND)
    assert kit.alerts("decision_overdue") == []
    kit.run_to(r.decision_due)
    assert kit.alerts("decision_overdue") == ["round-1:decision-overdue"]
