"""SAMR Order No. 20 (市场监督管理投诉举报处理暂行办法, as amended 2022) in the case machine.

- art. 21(5): "自投诉受理之日起四十五个工作日内，投诉人和被投诉人未能达成调解协议的" mediation ends.
  The case counts 45 working days from the acceptance on its calendar, tells the council at 35,
  records the end without agreement and goes on; both parties may sign an extension.
- art. 20: time for testing and appraisal (检测、检验、鉴定) is not counted: the clock pause.
- art. 15: the grounds on which a complaint is not accepted, the council's rejection names them;
  art. 15(4): "投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年" is flagged at filing.
"""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendar import InvalidCalendar, WorkCalendar
from domain.case.machine import terms_document, time_bar
from domain.case.snapshot import case_snapshot_json, read_case_snapshot
from domain.case.state import CasePhase
from domain.open_actions import AtDeadline
from domain.roles import Role
from domain.steps.rejections import RejectionKind
from tests.kits.dispute_kit import BranchKit

CONFLICT, INVALID, FORBIDDEN = RejectionKind.CONFLICT, RejectionKind.INVALID, RejectionKind.FORBIDDEN
SECOND, DAY = timedelta(seconds=1), timedelta(days=1)
# START is Monday 2 March 2026, 09:00 in Shanghai; the case is accepted then. Wednesday 4 and
# Thursday 5 March off: the 35th working day after it is Wednesday 22 April, the 44th Tuesday
# 5 May, the 45th Wednesday 6 May (weekends off, no other holiday).
HOLIDAYS = frozenset({date(2026, 3, 4), date(2026, 3, 5)})
CALENDAR = WorkCalendar(holidays=HOLIDAYS, official_years=frozenset({2026}))


def end_of(day: date) -> datetime:
    """23:59:59 in Shanghai (UTC+8) on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, 15, 59, 59, tzinfo=UTC)


DAY_35, DAY_44, DAY_45 = end_of(date(2026, 4, 22)), end_of(date(2026, 5, 5)), end_of(date(2026, 5, 6))


def accepted(**terms) -> BranchKit:
    kit = BranchKit(calendar=CALENDAR, **terms)
    kit.step("council", "case.accept", {})
    return kit


def ends(kit: BranchKit) -> list:
    """The mediation period's open actions (one per party that has not signed a pending extension)."""
    return [a for a in kit.m.open_actions() if a.action == "mediation.extend"]


# ------------------------------------------------------------------- art. 21(5)
def test_the_period_is_45_working_days_from_the_acceptance_on_the_cases_calendar():
    kit = accepted()
    mediation = kit.m.mediation
    assert (mediation.accepted_at, mediation.due) == (kit.now, DAY_45)
    assert [(a.role, a.party_id, a.since, a.due, a.at_deadline) for a in ends(kit)] == [
        (Role.CLAIMANT, "P-CLAIMANT", kit.now, DAY_45, AtDeadline.ENDS_MEDIATION),
        (Role.RESPONDENT, "P-RESPONDENT", kit.now, DAY_45, AtDeadline.ENDS_MEDIATION),
    ]
    snapshot = kit.m.snapshot()
    assert snapshot.mediation_due == DAY_45 and snapshot.mediation == mediation
    # the end of a period is nobody's turn: no "waiting for you", not in the list of waits
    assert snapshot.waiting_for("P-CLAIMANT", "claimant") == [
        a for a in snapshot.waiting_for("P-CLAIMANT", "claimant") if a.action != "mediation.extend"
    ]
    assert [a for a in snapshot.awaited() if a.action == "mediation.extend"] == []
    assert read_case_snapshot(json.dumps(case_snapshot_json(snapshot))) == snapshot  # as stored


def test_after_44_working_days_mediation_goes_on_and_after_45_it_ended_without_agreement():
    kit = accepted()
    kit.run_to(DAY_44)
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_ended") == []
    kit.run_to(DAY_45 - SECOND)
    assert kit.m.mediation.ended_at is None
    kit.run_to(DAY_45)
    assert kit.m.mediation.ended_at == DAY_45 and kit.alerts("mediation_ended") == ["mediation-ended"]
    assert (kit.m.alerts[-1].code, kit.m.alerts[-1].params) == ("mediation_ended", {"due": "2026-05-06"})
    assert ends(kit) == []  # no period runs any more
    # the process itself continues: the panel is still to be drawn
    assert kit.m.phase is CasePhase.DRAW and kit.m.draw_request(kit.now) is not None
    kit.reject("claimant", "mediation.extend", {"working_days": 5}, CONFLICT, "mediation_ended")


def test_a_late_timer_records_the_end_at_the_45th_working_day():
    kit = accepted()
    kit.run_to(DAY_45 + 3 * DAY)
    assert kit.m.mediation.ended_at == DAY_45
    assert kit.alerts("mediation_nearly_over") == ["mediation-alert"]  # the 35-day alert is not lost


def test_the_council_is_told_once_at_35_working_days():
    kit = accepted()
    kit.run_to(DAY_35 - SECOND)
    assert kit.alerts("mediation_nearly_over") == []
    kit.run_to(DAY_35)
    assert kit.alerts("mediation_nearly_over") == ["mediation-alert"]
    assert kit.m.alerts[-1].params == {"days": "35", "due": "2026-05-06"}
    kit.run_to(DAY_45)
    assert kit.alerts("mediation_nearly_over") == ["mediation-alert"]
    assert kit.alerts("mediation_ended") == ["mediation-ended"]


def test_an_agreement_stops_the_clock():
    kit = accepted()
    kit.step("respondent", "answer.submit", {"text": "we laid the drain to the plan"})
    kit.step("respondent", "settlement.sign", kit.settlement(300_000, 700_000))
    kit.step("claimant", "settlement.sign", kit.settlement(300_000, 700_000))
    assert kit.m.phase is CasePhase.ENFORCEMENT and ends(kit) == []
    kit.run_to(DAY_45 + DAY)
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_ended") == []


def test_a_settlement_both_sign_after_the_end_is_still_taken():
    kit = accepted()
    kit.run_to(DAY_45)
    assert kit.m.mediation.ended_at == DAY_45
    kit.step("claimant", "settlement.sign", kit.settlement(400_000, 600_000))
    kit.step("respondent", "settlement.sign", kit.settlement(400_000, 600_000))
    assert kit.m.phase is CasePhase.ENFORCEMENT and kit.m.outcome.source == "settlement"
    assert kit.m.snapshot().mediation.ended_at == DAY_45  # what happened stays recorded


def test_a_rejected_case_has_no_mediation_period():
    kit = BranchKit(calendar=CALENDAR)
    kit.reject("claimant", "mediation.extend", {"working_days": 5}, CONFLICT, "wrong_phase")
    kit.step("council", "case.reject", {"reasons": "outside the council's remit"})
    assert kit.m.mediation is None and ends(kit) == []


# ---------------------------------------------------------------------- art. 20
def formed() -> BranchKit:
    kit = BranchKit(calendar=CALENDAR)
    kit.to_evidence()
    assert kit.m.phase is CasePhase.EVIDENCE
    return kit


def test_working_days_the_clock_stood_paused_do_not_count():
    kit = formed()
    kit.run_to(end_of(date(2026, 3, 16)) - 9 * 3600 * SECOND)  # Monday 16 March, 14:59 in Shanghai
    kit.step("council", "clock.pause", {"reason": "moisture lab test"})
    assert [a.due for a in ends(kit)] == [None, None]  # the period stands still
    kit.run_to(DAY_45 + DAY)  # past the unpaused end: nothing happens while paused
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_nearly_over") == []
    resumed = end_of(date(2026, 5, 8)) - 9 * 3600 * SECOND  # Friday 8 May
    kit.run_to(resumed)
    kit.step("council", "clock.resume", {})
    # paused from Monday 16 March to Friday 8 May: 39 working days after the 16th up to the 8th
    assert kit.m.mediation.paused_working_days == 39
    due = CALENDAR.add_working_days(kit.m.mediation.accepted_at, 45 + 39)
    assert kit.m.mediation.due == due and {a.due for a in ends(kit)} == {due}
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_nearly_over") == []
    alert_at = CALENDAR.add_working_days(kit.m.mediation.accepted_at, 35 + 39)
    day_by_day(kit, alert_at - SECOND)
    assert kit.alerts("mediation_nearly_over") == []
    day_by_day(kit, alert_at)
    assert kit.alerts("mediation_nearly_over") == ["mediation-alert"]
    day_by_day(kit, due - SECOND)
    assert kit.m.mediation.ended_at is None
    day_by_day(kit, due)
    assert kit.m.mediation.ended_at == due


def day_by_day(kit: BranchKit, moment: datetime) -> None:
    """Run the clock to `moment` a day at a time, as the timers would wake the case."""
    while kit.now < moment:
        kit.tick(min(DAY, moment - kit.now))


def test_without_a_pause_the_same_days_end_the_period():
    kit = formed()
    day_by_day(kit, DAY_45)
    assert kit.m.mediation.ended_at == DAY_45 and kit.m.mediation.paused_working_days == 0


def test_a_pause_within_one_day_moves_nothing():
    kit = formed()
    kit.step("council", "clock.pause", {"reason": "teardown"})
    kit.tick(3600 * SECOND)
    kit.step("council", "clock.resume", {})
    assert (kit.m.mediation.paused_working_days, kit.m.mediation.due) == (0, DAY_45)


# ------------------------------------------------------------- the extension
def test_an_extension_signed_by_one_party_changes_nothing():
    kit = accepted()
    kit.step("claimant", "mediation.extend", {"working_days": 10})
    assert kit.m.mediation.due == DAY_45 and kit.m.mediation.extensions == []
    assert [a.role for a in ends(kit)] == [Role.RESPONDENT]  # awaiting the other signature
    kit.reject("claimant", "mediation.extend", {"working_days": 10}, CONFLICT, "already_signed")
    kit.run_to(DAY_45)
    assert kit.m.mediation.ended_at == DAY_45 and kit.m.mediation.proposed is None


def test_an_extension_signed_by_both_moves_the_end_by_its_working_days():
    kit = accepted()
    kit.step("claimant", "mediation.extend", {"working_days": 10})
    kit.step("respondent", "mediation.extend", {"working_days": 10})
    extended = CALENDAR.add_working_days(kit.m.mediation.accepted_at, 55)
    assert extended == end_of(date(2026, 5, 20))
    assert kit.m.mediation.due == extended and kit.m.mediation.extensions == [10]
    assert {a.due for a in ends(kit)} == {extended}
    kit.run_to(DAY_45)
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_ended") == []
    kit.run_to(extended - SECOND)
    assert kit.m.mediation.ended_at is None
    kit.run_to(extended)
    assert kit.m.mediation.ended_at == extended


def test_a_different_number_of_days_replaces_the_unsigned_extension():
    kit = accepted()
    kit.step("claimant", "mediation.extend", {"working_days": 10})
    kit.step("respondent", "mediation.extend", {"working_days": 5})
    assert kit.m.mediation.extensions == [] and kit.m.mediation.proposed.signed_by == ["respondent"]
    kit.step("claimant", "mediation.extend", {"working_days": 5})
    assert kit.m.mediation.extensions == [5]


def test_an_extension_is_refused_out_of_bounds_out_of_turn_and_from_others():
    kit = accepted()
    kit.reject("claimant", "mediation.extend", {"working_days": 31}, INVALID, "out_of_range")
    kit.reject("claimant", "mediation.extend", {"working_days": 0}, INVALID, "out_of_range")
    kit.reject("claimant", "mediation.extend", {}, INVALID, "missing_fields")
    kit.reject("council", "mediation.extend", {"working_days": 5}, FORBIDDEN, "wrong_role")
    kit.run_to(DAY_45 - SECOND)
    kit.now = DAY_45  # the timer has not fired yet: the period is over all the same
    kit.reject("respondent", "mediation.extend", {"working_days": 5}, CONFLICT, "mediation_ended")


# ---------------------------------------------------------------------- art. 15
def test_the_council_rejects_on_the_grounds_of_art_15_with_its_reasons():
    kit = BranchKit()
    grounds = ["handled_elsewhere", "over_three_years"]
    kit.step("council", "case.reject", {"reasons": "already before an arbitration body", "grounds": grounds})
    snapshot = kit.m.snapshot()
    assert (snapshot.rejection, snapshot.rejection_grounds) == ("already before an arbitration body", grounds)


@pytest.mark.parametrize(
    ("grounds", "code"),
    [
        (["outside_remit", "no_such_ground"], "bad_choice"),
        (["outside_remit", "outside_remit"], "duplicate_grounds"),
        ("outside_remit", "not_a_list"),
        ([7], "not_text"),
    ],
)
def test_a_rejection_on_grounds_art_15_does_not_name_is_refused(grounds, code):
    kit = BranchKit()
    kit.reject("council", "case.reject", {"reasons": "r", "grounds": grounds}, INVALID, code)


def test_a_rejection_with_reasons_alone_names_no_ground():
    kit = BranchKit()
    kit.step("council", "case.reject", {"reasons": "not a quality dispute"})
    assert kit.m.snapshot().rejection_grounds == []


# ------------------------------------------------------------------- art. 15(4)
# Filed on 2 March 2026 in Shanghai: a claimant who knew on 2 March 2023 is within the three
# years (its last day), one who knew on 1 March 2023 is past it.
def test_a_claim_filed_on_the_last_day_of_the_three_years_is_not_flagged():
    kit = BranchKit(known_since="2023-03-02")
    assert kit.m.snapshot().time_barred is None


def test_a_claim_filed_the_day_after_the_three_years_is_flagged_and_still_filed():
    kit = BranchKit(known_since="2023-03-01")
    flag = kit.m.snapshot().time_barred
    assert (flag.known_since, flag.last_day, flag.filed_on) == ("2023-03-01", "2026-03-01", "2026-03-02")
    assert kit.m.phase is CasePhase.FILED
    kit.step("council", "case.accept", {})  # the council decides: nothing is refused automatically
    assert kit.m.phase is CasePhase.ANSWER


def test_a_claim_without_a_date_of_knowledge_is_not_flagged():
    assert BranchKit().m.snapshot().time_barred is None


def test_three_years_from_29_february_end_on_28_february():
    filed = datetime(2027, 2, 28, 1, 0, tzinfo=UTC)
    assert time_bar("2024-02-29", filed) is None
    flag = time_bar("2024-02-29", filed + DAY)
    assert flag is not None and flag.last_day == "2027-02-28"


def test_the_filing_day_is_the_day_in_shanghai():
    late_evening = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 2 March, 01:00 in Shanghai
    assert time_bar("2023-03-01", late_evening) is not None
    assert time_bar("2023-03-01", late_evening - 2 * 3600 * SECOND) is None  # 1 March, 23:00


# ----------------------------------------------------------- the calendar signal
@pytest.mark.parametrize(
    "document",
    [
        ["2026-10-01"],
        {"holidays": "2026-10-01"},
        {"holidays": ["2026-13-01"]},
        {"holidays": [20261001]},
        {"official_years": ["26"]},
        {"provisional_years": [2027]},
    ],
)
def test_a_malformed_calendar_document_is_refused(document):
    with pytest.raises(InvalidCalendar):
        WorkCalendar.from_document(document)


def test_a_refused_calendar_leaves_the_case_unchanged_and_tells_the_council():
    kit = accepted()
    calendar, due, mediation_due = kit.m.calendar, kit.m.acceptance_due, kit.m.mediation.due
    version = kit.m.version
    kit.m.refuse_calendar("holidays: Invalid isoformat string: '2026-13-01'", kit.now)
    assert (kit.m.calendar, kit.m.acceptance_due, kit.m.mediation.due) == (calendar, due, mediation_due)
    assert kit.alerts() == [f"calendar-refused-{version}"]
    assert "2026-13-01" in kit.m.alerts[-1].params["problem"]


def test_a_newer_calendar_recounts_the_mediation_period():
    kit = BranchKit(calendar=WorkCalendar(official_years=frozenset({2026})))
    kit.step("council", "case.accept", {})
    assert kit.m.mediation.due == end_of(date(2026, 5, 4))
    kit.m.update_calendar(CALENDAR, kit.now)
    assert kit.m.mediation.due == DAY_45
    recounted = kit.m.alerts[-1]
    assert (recounted.kind, recounted.code) == ("deadline_recounted", "mediation_recounted")
    assert recounted.params == {"due": "2026-05-06", "was": "2026-05-04"}


def test_a_claim_without_a_date_of_knowledge_starts_its_trail_from_the_same_terms_as_before():
    plain, dated = BranchKit(), BranchKit(known_since="2023-03-01")
    assert "known_since" not in terms_document(plain.m.terms)  # filed before the field: same genesis
    assert terms_document(dated.m.terms)["known_since"] == "2023-03-01"
    assert plain.m.trail_head != dated.m.trail_head  # the stated date is part of what was signed


# ------------------------------------------- art. 21(5): after the end, the council's expert opinion
def decided_after(moment: datetime, **terms) -> BranchKit:
    """A renovation case accepted at START whose first-instance decision is countersigned once the
    clock has reached `moment` (the panel is drawn from then), then concludes when no one objects."""
    kit = accepted(**terms)
    kit.step("respondent", "answer.submit", {"text": "we laid the drain to the plan"})
    kit.run_to(moment)
    kit.decide([600_000, 600_000, 600_000], outcome="split")
    kit.run_to(kit.m.objection_due)
    return kit


def test_a_decision_concluded_after_the_period_ended_is_the_councils_expert_opinion():
    """ "投诉人和被投诉人未能达成调解协议的" the mediation ends: "a panel decision already under way
    continues as the council's expert opinion", not a mediated agreement. The escrow contract's own
    dispute clause still binds both sides to the council's decision: it is still enforced there."""
    kit = decided_after(DAY_45)
    assert kit.m.mediation.ended_at == DAY_45
    outcome = kit.m.outcome
    assert (outcome.source, outcome.outcome, outcome.expert_opinion) == ("decision", "split", True)
    stored = read_case_snapshot(json.dumps(case_snapshot_json(kit.m.snapshot())))
    assert stored.outcome.expert_opinion is True  # the data carries it, as the read model keeps it
    assert kit.m.phase is CasePhase.ENFORCEMENT and kit.m.awaits_escrow_step()


def test_a_decision_under_way_when_the_period_ends_concludes_as_the_expert_opinion():
    """Countersigned before the 45th working day, its objection window running past it: the decision
    was under way when mediation ended, and it concludes as the expert opinion."""
    kit = accepted()
    kit.step("respondent", "answer.submit", {"text": "we laid the drain to the plan"})
    kit.run_to(DAY_45 - 25 * DAY)  # the panel needs some 16 days from its draw to a decision
    kit.decide([600_000, 600_000, 600_000], outcome="split")
    assert kit.m.mediation.ended_at is None and kit.m.objection_due > DAY_45
    kit.run_to(kit.m.objection_due)
    assert kit.m.mediation.ended_at == DAY_45 and kit.m.outcome.expert_opinion is True


def test_a_decision_concluded_within_the_period_is_no_expert_opinion_and_stops_the_clock():
    kit = decided_after(DAY_35 - 30 * DAY)
    assert kit.now < DAY_45  # concluded within the period
    assert kit.m.outcome.source == "decision" and kit.m.outcome.expert_opinion is False
    kit.run_to(DAY_45 + DAY)
    assert kit.m.mediation.ended_at is None and kit.alerts("mediation_ended") == []


# ---------------------------------------- a newer calendar: the parties read which deadline moved
def test_a_recounted_deadline_is_recorded_for_the_parties_to_read():
    """The issue: a newer calendar "recomputes their pending deadlines and says so in the trail": each
    deadline it moved is a line every case page lists (the notifier tells the parties of it)."""
    kit = BranchKit(calendar=WorkCalendar(official_years=frozenset({2026})))
    kit.step("council", "case.accept", {})
    kit.tick(DAY)
    kit.m.update_calendar(CALENDAR, kit.now)
    (recount,) = kit.m.snapshot().recounts
    assert (recount.deadline, recount.was, recount.due, recount.at) == (
        "mediation_due",
        "2026-05-04",
        "2026-05-06",
        kit.now,
    )
    stored = read_case_snapshot(json.dumps(case_snapshot_json(kit.m.snapshot())))
    assert stored.recounts == [recount]
    kit.m.update_calendar(CALENDAR, kit.now + DAY)  # the same calendar again moves nothing
    assert kit.m.snapshot().recounts == [recount]
