"""What the staff pages read out of a case snapshot: the phase's deadline and a member's next task."""

from datetime import timedelta

from domain.case.snapshot import CaseSnapshot
from expert_panels.votes import commitment
from tests.kits.dispute_kit import SALT, CaseKit
from web.case_views import DECISION_TARGET, expert_task, phase_deadline, seat_of


def snapshot(kit: CaseKit) -> CaseSnapshot:
    return kit.m.snapshot()


def test_each_phase_shows_the_deadline_that_ends_it():
    kit = CaseKit()
    filed = phase_deadline(snapshot(kit))
    assert (filed.what, filed.due) == ("deadline.acceptance", kit.m.acceptance_due)

    kit.step("council", "case.accept", {})
    answer = phase_deadline(snapshot(kit))
    assert (answer.what, answer.due) == ("deadline.answer", kit.now + timedelta(days=5))

    kit.step("respondent", "answer.submit", {"answer_hash": "sha256:answer"})
    kit.tick(timedelta(days=10))
    seats = kit.draw()
    panel = phase_deadline(snapshot(kit))
    assert (panel.what, panel.due) == ("deadline.declarations", kit.now + timedelta(days=2))
    for expert_id in seats:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    declared = phase_deadline(snapshot(kit))
    assert (declared.what, declared.due) == ("deadline.strikes", kit.now + timedelta(days=2))

    kit.tick(timedelta(days=2))
    evidence = phase_deadline(snapshot(kit))
    assert (evidence.what, evidence.due) == ("deadline.evidence", kit.now + timedelta(days=14))
    kit.step("council", "clock.pause", {"reason": "lab test"})
    assert phase_deadline(snapshot(kit)).due is None

    kit.tick(timedelta(days=1))
    kit.step("council", "clock.resume", {"note": "back"})
    kit.tick(timedelta(days=15))
    voting = phase_deadline(snapshot(kit))
    assert voting.what == "deadline.votes" and voting.due == snapshot(kit).rounds[-1].vote_due

    kit.vote({expert_id: 100 for expert_id in seats})
    summary = phase_deadline(snapshot(kit))
    formed = snapshot(kit).rounds[-1].formed_at
    paused = timedelta(days=1)  # paused time does not count against the target
    assert (summary.what, summary.due) == ("deadline.decision_target", formed + DECISION_TARGET + paused)
    older = snapshot(kit)  # projected before the machine kept decision_due
    older.rounds[-1].decision_due = None
    assert phase_deadline(older).due == formed + DECISION_TARGET


def test_a_members_task_follows_the_commit_and_reveal():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.form_panel()
    kit.tick(timedelta(days=15))
    first, second, *_ = seats
    party = kit.parties[first].party_id
    assert seat_of(snapshot(kit), party)[0] == first
    assert seat_of(snapshot(kit), "P-NOBODY") is None
    assert expert_task(snapshot(kit), first) == "task.commit"

    opinion = {"findings": {"leak": "upheld", "tiles": "rejected"}, "pay_fen": 10, "reasons": ""}
    kit.step(first, "vote.commit", {"commitment": commitment(opinion, SALT)})
    assert expert_task(snapshot(kit), first) == "task.waiting_commitments"
    for expert_id in seats[1:]:
        kit.step(expert_id, "vote.commit", {"commitment": commitment(opinion, SALT)})
    assert expert_task(snapshot(kit), first) == "task.reveal"
    kit.step(first, "vote.reveal", {"opinion": opinion, "salt": SALT})
    assert expert_task(snapshot(kit), first) == "task.waiting_reveals"
    assert expert_task(snapshot(kit), second) == "task.reveal"
