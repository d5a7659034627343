"""The case machine on a calendar that changes: provisional deadlines and the `update_calendar` signal.

DESIGN "Time": working days come from python-holidays' China calendar, handed to the case as data;
a deadline counted through a year without a known State Council notice is provisional (shown so,
the council alerted once), and a newer calendar recounts the deadlines still pending.
"""

import json
from datetime import UTC, date, datetime, timedelta

from domain.calendar import WorkCalendar
from domain.case.snapshot import case_snapshot_json, read_case_snapshot
from domain.case.state import CasePhase
from tests.kits.dispute_kit import BranchKit

# START is Monday 2 March 2026 in Shanghai: 7 working days end on Wednesday 11 March, or on
# Friday 13 March with Wednesday 4 and Thursday 5 March off.
HOLIDAYS = frozenset({date(2026, 3, 4), date(2026, 3, 5)})
OFFICIAL = WorkCalendar(official_years=frozenset({2026}))
PROVISIONAL = WorkCalendar(provisional_years=frozenset({2026}))


def end_of_day_shanghai(day: date) -> datetime:
    """23:59:59 in Shanghai (UTC+8) on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, 15, 59, 59, tzinfo=UTC)


def accept_due(kit: BranchKit):
    return next(a.due for a in kit.m.open_actions() if a.action == "case.accept")


def test_a_deadline_in_an_official_year_is_not_provisional():
    kit = BranchKit(calendar=OFFICIAL)
    assert kit.m.snapshot().provisional_deadlines == []
    assert not kit.m.snapshot().is_provisional(accept_due(kit))
    assert kit.alerts() == []


def test_a_deadline_in_a_provisional_year_is_shown_so_and_alerts_the_council_once():
    kit = BranchKit(calendar=PROVISIONAL)
    snapshot = kit.m.snapshot()
    assert snapshot.provisional_deadlines == ["acceptance_due"]
    assert snapshot.is_provisional(accept_due(kit)) and snapshot.is_provisional(snapshot.acceptance_due)
    assert not snapshot.is_provisional(snapshot.filed_at) and not snapshot.is_provisional(None)
    stored = read_case_snapshot(json.dumps(case_snapshot_json(snapshot)))  # as the read model keeps it
    assert stored.provisional_deadlines == ["acceptance_due"]
    assert kit.alerts("provisional_deadline") == ["provisional-deadline"]
    kit.m.update_calendar(WorkCalendar(holidays=HOLIDAYS, provisional_years=frozenset({2026})), kit.now)
    assert kit.alerts("provisional_deadline") == ["provisional-deadline"]  # once per case


def test_a_count_that_runs_into_a_provisional_year_is_provisional():
    calendar = WorkCalendar(official_years=frozenset({2026}), provisional_years=frozenset({2027}))
    start = end_of_day_shanghai(date(2026, 12, 28))
    assert calendar.provisional_between(start, calendar.add_working_days(start, 3)) == []  # to 31 Dec
    assert calendar.provisional_between(start, calendar.add_working_days(start, 4)) == [2027]


def test_a_newer_calendar_recounts_the_pending_acceptance_and_tells_the_council():
    kit = BranchKit(calendar=PROVISIONAL)
    assert kit.m.acceptance_due == end_of_day_shanghai(date(2026, 3, 11))
    version = kit.m.version
    kit.m.update_calendar(WorkCalendar(holidays=HOLIDAYS, official_years=frozenset({2026})), kit.now)
    assert kit.m.acceptance_due == end_of_day_shanghai(date(2026, 3, 13))  # two holidays later
    assert kit.m.next_deadline() == kit.m.acceptance_due and accept_due(kit) == kit.m.acceptance_due
    assert kit.m.version == version + 1
    assert kit.alerts("deadline_recounted") == [f"calendar-{version}:acceptance-due"]
    recounted = kit.m.alerts[-1]
    assert (recounted.code, recounted.params) == (
        "acceptance_recounted",
        {"due": "2026-03-13", "was": "2026-03-11"},
    )
    assert kit.m.snapshot().provisional_deadlines == []  # the notice is known now
    kit.run_to(end_of_day_shanghai(date(2026, 3, 12)))
    assert kit.alerts("acceptance_overdue") == []  # the old deadline passed without an alert
    kit.run_to(end_of_day_shanghai(date(2026, 3, 13)))
    assert kit.alerts("acceptance_overdue") == ["acceptance-overdue"]


def test_the_same_calendar_again_moves_nothing_and_says_nothing():
    kit = BranchKit(calendar=OFFICIAL)
    due = kit.m.acceptance_due
    kit.m.update_calendar(OFFICIAL, kit.now)
    assert kit.m.acceptance_due == due and kit.alerts() == []


def test_a_deadline_no_longer_pending_is_not_recounted():
    kit = BranchKit(calendar=OFFICIAL)
    kit.step("council", "case.accept", {})
    accepted_due, answer_due = kit.m.acceptance_due, kit.m.answer_due
    kit.m.update_calendar(WorkCalendar(holidays=HOLIDAYS, official_years=frozenset({2026})), kit.now)
    assert (kit.m.acceptance_due, kit.m.answer_due) == (accepted_due, answer_due)
    # only the mediation period, which runs from the acceptance, is counted again
    assert kit.alerts() == ["calendar-1:mediation-due"] and kit.m.phase is CasePhase.ANSWER

    overdue = BranchKit(calendar=OFFICIAL)
    overdue.tick(timedelta(days=12))  # alerted: the council already knows it is late
    due = overdue.m.acceptance_due
    overdue.m.update_calendar(WorkCalendar(holidays=HOLIDAYS, official_years=frozenset({2026})), overdue.now)
    assert overdue.m.acceptance_due == due and overdue.alerts() == ["acceptance-overdue"]
