"""The case machine declares what it waits for (`open_actions`): who, what, by when, and what happens
then. For every wait, a second before its due time nothing has happened, and at it the machine does
what it declared."""

from datetime import timedelta

from domain.case.state import CasePhase
from domain.open_actions import AtDeadline, OpenAction
from domain.roles import Role
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from tests.kits.dispute_kit import CAR, BranchKit, expert

SECOND, DAY = timedelta(seconds=1), timedelta(days=1)
CONFLICT = RejectionKind.CONFLICT


def awaited(kit: BranchKit, action: str) -> list[OpenAction]:
    return [a for a in kit.m.open_actions() if a.action == action]


def only(kit: BranchKit, action: str) -> OpenAction:
    [found] = awaited(kit, action)
    return found


def sides(kit: BranchKit, action: str) -> list[tuple[Role, str | None]]:
    return [(a.role, a.party_id) for a in awaited(kit, action)]


BOTH = [(Role.CLAIMANT, "P-CLAIMANT"), (Role.RESPONDENT, "P-RESPONDENT")]


def test_the_council_is_awaited_to_accept_and_told_when_it_is_late():
    kit = BranchKit()
    accept = only(kit, "case.accept")
    assert (accept.role, accept.party_id, accept.since) == (Role.COUNCIL, None, kit.m.filed_at)
    assert (accept.due, accept.at_deadline) == (kit.m.acceptance_due, AtDeadline.ALERTS_COUNCIL)
    kit.run_to(accept.due - SECOND)
    assert kit.alerts() == []
    kit.run_to(accept.due)
    assert kit.alerts() == ["acceptance-overdue"] and kit.m.phase is CasePhase.FILED
    late = only(kit, "case.accept")  # still awaited, nothing more happens
    assert (late.due, late.at_deadline) == (accept.due, AtDeadline.NOTHING)
    assert kit.m.snapshot().open_actions == kit.m.open_actions()


def test_the_respondents_silence_closes_the_answer_window():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    answer = only(kit, "answer.submit")
    assert (answer.role, answer.party_id, answer.since) == (Role.RESPONDENT, "P-RESPONDENT", kit.now)
    assert (answer.due, answer.at_deadline) == (kit.m.answer_due, AtDeadline.CLOSES_WINDOW)
    kit.run_to(answer.due - SECOND)
    assert kit.m.phase is CasePhase.ANSWER
    kit.run_to(answer.due)
    assert kit.m.phase is CasePhase.NEGOTIATION and awaited(kit, "answer.submit") == []
    kit.reject("respondent", "answer.submit", {"text": "late"}, CONFLICT, "wrong_phase")


def test_negotiation_waits_for_both_signatures_until_the_draw():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    assert sides(kit, "settlement.sign") == BOTH  # open from the acceptance, nothing waits for it
    assert {a.at_deadline for a in awaited(kit, "settlement.sign")} == {AtDeadline.NOT_AWAITED}
    kit.step("respondent", "answer.submit", {"text": "answer"})
    offers = awaited(kit, "settlement.sign")
    assert {(a.due, a.at_deadline) for a in offers} == {(kit.m.negotiation_due, AtDeadline.CLOSES_WINDOW)}
    kit.step("respondent", "settlement.sign", kit.settlement(300_000, 700_000))
    assert [(a.role, a.at_deadline) for a in awaited(kit, "settlement.sign")] == [
        (Role.CLAIMANT, AtDeadline.CLOSES_WINDOW),
        (Role.RESPONDENT, AtDeadline.NOT_AWAITED),  # may still propose other terms
    ]
    kit.run_to(kit.m.negotiation_due - SECOND)
    assert kit.m.phase is CasePhase.NEGOTIATION
    kit.run_to(kit.m.negotiation_due)
    assert kit.m.phase is CasePhase.DRAW
    assert {a.at_deadline for a in awaited(kit, "settlement.sign")} == {AtDeadline.NOT_AWAITED}


def test_a_draw_that_seats_nobody_is_retried_when_declared():
    kit = BranchKit()
    kit.to_draw()
    assert (only(kit, "panel.draw").due, only(kit, "panel.draw").at_deadline) == (None, AtDeadline.NOTHING)
    kit.use_experts([expert(1), *(expert(n, "plumbing") for n in range(2, 8))])
    assert kit.draw() == []
    retry = only(kit, "panel.draw")
    assert (retry.role, retry.due, retry.at_deadline) == (
        Role.COUNCIL,
        kit.now + DAY,
        AtDeadline.RETRIES_DRAW,
    )
    kit.run_to(retry.due - SECOND)
    assert kit.m.draw_request(kit.now) is None
    kit.run_to(retry.due)
    assert kit.m.draw_request(kit.now) is not None


def test_an_undeclared_seat_passes_to_an_alternate_at_its_due_time():
    kit = BranchKit()
    kit.to_draw()
    seats = kit.draw()
    declarations = awaited(kit, "declaration.sign")
    assert [(a.role, a.ref, a.party_id) for a in declarations] == [
        (Role.EXPERT, s, kit.parties[s].party_id) for s in seats
    ]
    assert {(a.since, a.due, a.at_deadline) for a in declarations} == {
        (kit.now, kit.now + 2 * DAY, AtDeadline.PASSES_SEAT)
    }
    for expert_id in seats[1:]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    assert [a.ref for a in awaited(kit, "declaration.sign")] == [seats[0]]
    kit.run_to(declarations[0].due - SECOND)
    assert kit.seats == seats
    kit.run_to(declarations[0].due)
    assert seats[0] not in kit.seats and kit.m.set_aside[seats[0]] == "declaration_timed_out"
    [newcomer] = set(kit.seats) - set(seats)
    assert [a.ref for a in awaited(kit, "declaration.sign")] == [newcomer]


def test_strikes_are_awaited_from_each_side_until_the_strike_window_closes():
    kit = BranchKit()
    kit.to_draw()
    seats = kit.draw()
    strikes = awaited(kit, "strike.submit")
    assert sides(kit, "strike.submit") == BOTH
    assert {(a.due, a.at_deadline) for a in strikes} == {(kit.m.round.strike_due, AtDeadline.CLOSES_WINDOW)}
    kit.step("claimant", "strike.submit", {"expert_id": seats[0], "reason": "wrote for the trade"})
    assert sides(kit, "strike.submit") == [(Role.RESPONDENT, "P-RESPONDENT")]
    for expert_id in kit.seats:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.run_to(strikes[0].due - SECOND)
    assert kit.m.phase is CasePhase.PANEL
    kit.run_to(strikes[0].due)
    assert kit.m.phase is CasePhase.EVIDENCE and awaited(kit, "strike.submit") == []


def test_evidence_then_replies_then_the_vote():
    kit = BranchKit()
    kit.to_evidence()
    current = kit.m.round
    evidence = awaited(kit, "evidence.submit")
    assert [(a.role, a.ref, a.due) for a in evidence] == [
        (Role.CLAIMANT, "evidence", current.evidence_due),
        (Role.CLAIMANT, "reply", current.reply_due),
        (Role.RESPONDENT, "evidence", current.evidence_due),
        (Role.RESPONDENT, "reply", current.reply_due),
    ]
    assert {a.at_deadline for a in evidence} == {AtDeadline.CLOSES_WINDOW}
    assert [a.ref or a.role for a in awaited(kit, "inspection.sign")] == ["claimant", "respondent", kit.chair]
    kit.run_to(current.evidence_due)
    kit.step("claimant", "evidence.submit", {"evidence": [file_hash(b"last-minute")]})  # its due time is in
    kit.tick(SECOND)
    kit.reject("claimant", "evidence.submit", {"evidence": [file_hash(b"late")]}, CONFLICT, "window_closed")
    kit.step("respondent", "evidence.submit", {"evidence": [file_hash(b"reply")], "reply": True})
    kit.run_to(current.reply_due - SECOND)
    assert kit.m.phase is CasePhase.EVIDENCE
    kit.run_to(current.reply_due)
    assert kit.m.phase is CasePhase.VOTING and awaited(kit, "evidence.submit") == []


def test_a_paused_clock_makes_nothing_due_until_it_runs_again():
    kit = BranchKit()
    kit.to_evidence()
    assert only(kit, "clock.pause").at_deadline is AtDeadline.NOT_AWAITED
    kit.step("council", "clock.pause", {"reason": "lab test"})
    assert {(a.due, a.at_deadline) for a in awaited(kit, "evidence.submit")} == {(None, AtDeadline.NOTHING)}
    resume = only(kit, "clock.resume")
    assert (resume.role, resume.since, resume.due) == (Role.COUNCIL, kit.now, None)
    assert awaited(kit, "clock.pause") == []
    kit.tick(3 * DAY)
    kit.step("council", "clock.resume", {"note": "back"})
    assert awaited(kit, "clock.resume") == [] and only(kit, "clock.pause")
    assert {a.due for a in awaited(kit, "evidence.submit")} == {
        kit.m.round.evidence_due,
        kit.m.round.reply_due,
    }


def test_votes_are_awaited_commit_then_reveal_and_the_council_is_told_when_late():
    kit = BranchKit()
    seats = kit.to_voting()
    vote_due = kit.m.round.vote_due
    commits = awaited(kit, "vote.commit")
    assert [(a.role, a.ref) for a in commits] == [(Role.EXPERT, s) for s in seats]
    assert {(a.due, a.at_deadline) for a in commits} == {(vote_due, AtDeadline.ALERTS_COUNCIL)}
    opinion = kit.opinion(500_000)
    for expert_id in seats:
        kit.commit(expert_id, opinion)
    assert [a.ref for a in awaited(kit, "vote.reveal")] == seats
    kit.reveal(seats[0], opinion)
    assert [a.ref for a in awaited(kit, "vote.reveal")] == seats[1:]
    kit.run_to(vote_due - SECOND)
    assert kit.alerts("vote_overdue") == []
    kit.run_to(vote_due)
    assert kit.alerts("vote_overdue") == ["round-1:vote-overdue"]
    assert {a.at_deadline for a in awaited(kit, "vote.reveal")} == {AtDeadline.NOTHING}


def test_the_chairs_summary_and_the_signatures_are_due_by_the_decision_target():
    kit = BranchKit()
    seats = kit.to_voting()
    kit.vote(dict.fromkeys(seats, 500_000))
    summary = only(kit, "decision.summarise")
    assert (summary.role, summary.ref, summary.party_id) == (Role.EXPERT, kit.chair, f"P-{kit.chair}")
    assert (summary.due, summary.at_deadline) == (kit.m.round.decision_due, AtDeadline.ALERTS_COUNCIL)
    decision_hash = kit.summarise(outcome="split")
    assert [a.ref for a in awaited(kit, "decision.sign")] == seats
    for expert_id in seats:
        kit.step(expert_id, "decision.sign", {"decision_hash": decision_hash})
    countersign = only(kit, "decision.countersign")
    assert (countersign.role, countersign.due) == (Role.COUNCIL, kit.m.round.decision_due)
    kit.run_to(countersign.due - SECOND)
    assert kit.alerts("decision_overdue") == []
    kit.run_to(countersign.due)
    assert kit.alerts("decision_overdue") == ["round-1:decision-overdue"]
    assert only(kit, "decision.countersign").at_deadline is AtDeadline.NOTHING


def test_either_side_may_object_until_the_window_closes_then_the_decision_is_enforced():
    kit = BranchKit()
    kit.to_draw()
    kit.decide([600_000, 400_000, 500_000], outcome="split")
    objections = awaited(kit, "decision.object")
    assert sides(kit, "decision.object") == BOTH
    assert {(a.due, a.at_deadline) for a in objections} == {(kit.m.objection_due, AtDeadline.CLOSES_WINDOW)}
    assert awaited(kit, "case.withdraw") == [] and awaited(kit, "settlement.sign") == []
    kit.run_to(kit.m.objection_due - SECOND)
    assert kit.m.phase is CasePhase.OBJECTION
    kit.run_to(kit.m.objection_due)
    assert kit.m.phase is CasePhase.ENFORCEMENT
    enforce = only(kit, "enforcement.submit")  # the council's step for the escrow: no time limit
    assert (enforce.role, enforce.due, enforce.at_deadline) == (Role.COUNCIL, None, AtDeadline.NOTHING)
    kit.step(
        "council", "enforcement.submit", kit.escrow_step(outcome="split", pay_fen=500_000, refund_fen=500_000)
    )
    assert kit.m.open_actions() == []  # the escrow applies it


def test_a_dealer_who_does_not_confirm_the_remedy_is_recorded_noncompliant():
    kit = BranchKit(CAR)
    kit.to_draw()
    kit.decide([None, None, None], remedy="repair")
    kit.run_to(kit.m.objection_due)
    confirm = only(kit, "remedy.confirm")
    assert (confirm.role, confirm.party_id) == (Role.RESPONDENT, "P-RESPONDENT")
    assert (confirm.due, confirm.at_deadline) == (kit.m.remedy_due, AtDeadline.RECORDED_NONCOMPLIANT)
    kit.run_to(confirm.due - SECOND)
    assert (kit.m.phase, kit.m.noncompliant) == (CasePhase.ENFORCEMENT, False)
    kit.run_to(confirm.due)
    assert (kit.m.phase, kit.m.noncompliant) == (CasePhase.CLOSED, True)
    assert kit.m.open_actions() == []


def test_the_claimant_may_withdraw_until_a_decision_is_countersigned():
    kit = BranchKit()
    withdraw = only(kit, "case.withdraw")
    assert (withdraw.role, withdraw.party_id, withdraw.due) == (Role.CLAIMANT, "P-CLAIMANT", None)
    assert withdraw.at_deadline is AtDeadline.NOT_AWAITED
    kit.step("council", "case.reject", {"reasons": "not a quality dispute"})
    assert kit.m.open_actions() == []
