"""What the case pages read out of a snapshot's open actions: the step due first, the "waiting for
you" marker, and a panel member's task, all from what the machine declares."""

from datetime import UTC, datetime, timedelta
from functools import partial

from domain.calendar import WorkCalendar
from domain.case.snapshot import CaseSnapshot
from domain.roles import Role
from expert_panels.votes import commitment
from tests.kits.dispute_kit import SALT, BranchKit, CaseKit
from web.case_views import case_row, member_task, seat_of, steps_open_to
from web.i18n import translate
from web.templating import templates


def snapshot(kit: CaseKit) -> CaseSnapshot:
    return kit.m.snapshot()


def test_a_list_row_shows_the_step_due_first_and_whether_it_waits_for_the_reader():
    kit = CaseKit()
    row = case_row(snapshot(kit), "P-COUNCIL", Role.COUNCIL)
    assert (row.next.action, row.next.due, row.yours) == ("case.accept", kit.m.acceptance_due, True)
    assert not case_row(snapshot(kit), "P-CLAIMANT", Role.CLAIMANT).yours  # withdrawing is not awaited
    assert steps_open_to(snapshot(kit), "P-CLAIMANT", Role.CLAIMANT) == {"case.withdraw"}

    kit.step("council", "case.accept", {})
    row = case_row(snapshot(kit), "P-RESPONDENT", Role.RESPONDENT)
    assert (row.next.action, row.next.due, row.yours) == ("answer.submit", kit.m.answer_due, True)
    assert not case_row(snapshot(kit), "P-COUNCIL", Role.COUNCIL).yours

    kit.step("respondent", "answer.submit", {"text": "answer"})
    kit.tick(timedelta(days=10))
    kit.draw()
    row = case_row(snapshot(kit), "P-CLAIMANT", Role.CLAIMANT)
    assert (row.next.action, row.yours) == ("strike.submit", True)
    assert row.due_first() == (False, kit.m.round.strike_due)


def test_a_members_task_follows_the_commit_and_reveal():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.form_panel()
    kit.tick(timedelta(days=15))
    first, second, *_ = seats
    party, other = kit.parties[first].party_id, kit.parties[second].party_id
    assert seat_of(snapshot(kit), party)[0] == first
    assert seat_of(snapshot(kit), "P-NOBODY") is None
    assert member_task(snapshot(kit), party) == "task.commit"

    opinion = {"findings": {"leak": "upheld", "tiles": "rejected"}, "pay_fen": 10, "reasons": ""}
    kit.step(first, "vote.commit", {"commitment": commitment(opinion, SALT)})
    assert member_task(snapshot(kit), party) == "task.waiting_commitments"
    for expert_id in seats[1:]:
        kit.step(expert_id, "vote.commit", {"commitment": commitment(opinion, SALT)})
    assert member_task(snapshot(kit), party) == "task.reveal"
    kit.step(first, "vote.reveal", {"opinion": opinion, "salt": SALT})
    assert member_task(snapshot(kit), party) == "task.waiting_reveals"
    assert member_task(snapshot(kit), other) == "task.reveal"


def test_a_provisional_deadline_is_marked_so_in_both_languages():
    """A deadline counted through a year with no holiday notice yet says so wherever it is shown."""
    words = {"zh-CN": "暂定", "en": "provisional"}
    for calendar, shown in (
        (WorkCalendar(provisional_years=frozenset({2026})), True),
        (WorkCalendar(), False),
    ):
        case = BranchKit(calendar=calendar).m.snapshot()
        row = case_row(case, "P-COUNCIL", Role.COUNCIL)
        for language, word in words.items():
            t = partial(translate, language)
            now = datetime(2026, 3, 2, tzinfo=UTC)
            waits = templates.get_template("case_waits.html").render(
                case=case, yours=[], names={}, now=now, t=t
            )
            listed = templates.get_template("case_next.html").render(row=row, now=now, t=t)
            for page in (waits, listed):
                assert ("data-provisional" in page and word in page) is shown, (language, page)
