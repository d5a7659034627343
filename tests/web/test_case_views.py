"""What the case pages read out of a snapshot's open actions: the step due first, the "waiting for
you" marker, and a panel member's task, all from what the machine declares."""

from datetime import UTC, datetime, timedelta
from functools import partial

from domain.calendar import WorkCalendar
from domain.case.snapshot import CaseSnapshot
from domain.case.steps import MAX_EXTENSION_WORKING_DAYS
from domain.case.terms import REJECTION_GROUNDS
from domain.roles import Role
from expert_panels.car_claim import dealer_deadlines
from expert_panels.votes import commitment
from tests.kits.dispute_kit import SALT, BranchKit, CaseKit
from web.case_views import case_row, mediation_view, member_task, seat_of, steps_open_to
from web.i18n import translate
from web.party_case_forms import party_forms
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


# ------------------------------------------------- SAMR Order No. 20 on the case pages
ORDER20_CALENDAR = WorkCalendar(official_years=frozenset({2026}))  # weekends off: 45th is 4 May


def render(name: str, language: str, **context) -> str:
    return templates.get_template(name).render(t=partial(translate, language), **context)


def test_the_mediation_period_shows_its_end_and_the_working_days_left_in_both_languages():
    kit = BranchKit(calendar=ORDER20_CALENDAR)
    kit.step("council", "case.accept", {})
    case = snapshot(kit)
    view = mediation_view(case, kit.now, ORDER20_CALENDAR)
    assert (view.due, view.working_days_left, view.paused, view.ended_at) == (
        case.mediation_due,
        45,
        False,
        None,
    )
    assert view.due == next(a.due for a in case.open_actions if a.action == "mediation.extend")
    later = mediation_view(case, datetime(2026, 5, 1, 4, 0, tzinfo=UTC), ORDER20_CALENDAR)  # Friday
    assert later.working_days_left == 1  # Monday 4 May, the last day
    for language, words in (("en", "45 working days left"), ("zh-CN", "还剩 45 个工作日")):
        page = render("case_mediation.html", language, case=case, mediation=view)
        assert words in page and 'data-working-days-left="45"' in page
        assert "mediation-ended" not in page


def test_at_its_end_both_parties_are_told_they_may_go_to_arbitration_or_court():
    kit = BranchKit(calendar=ORDER20_CALENDAR)
    kit.step("council", "case.accept", {})
    kit.run_to(snapshot(kit).mediation_due)
    case = snapshot(kit)
    view = mediation_view(case, kit.now, ORDER20_CALENDAR)
    assert view.ended_at == case.mediation.ended_at and view.due is None
    for language, words in (
        ("en", ["ended on", "arbitration", "court", "expert opinion", "settlement"]),
        ("zh-CN", ["调解终止", "申请仲裁", "人民法院", "专家意见", "和解协议"]),
    ):
        page = render("case_mediation.html", language, case=case, mediation=view)
        assert 'id="mediation-ended"' in page and all(word in page for word in words), (language, page)
    for party_id, side in (("P-CLAIMANT", Role.CLAIMANT), ("P-RESPONDENT", Role.RESPONDENT)):
        assert "mediation.extend" not in steps_open_to(case, party_id, side)


def test_a_paused_clock_stops_the_period_and_an_agreement_ends_it():
    kit = BranchKit(calendar=ORDER20_CALENDAR)
    kit.to_evidence()
    kit.step("council", "clock.pause", {"reason": "lab test"})
    view = mediation_view(snapshot(kit), kit.now, ORDER20_CALENDAR)
    assert (view.paused, view.due, view.working_days_left) == (True, None, None)
    assert "第二十条" in render("case_mediation.html", "zh-CN", case=snapshot(kit), mediation=view)
    kit.step("council", "clock.resume", {})
    kit.step("claimant", "settlement.sign", kit.settlement(500_000, 500_000))
    kit.step("respondent", "settlement.sign", kit.settlement(500_000, 500_000))
    assert mediation_view(snapshot(kit), kit.now, ORDER20_CALENDAR) is None


def test_each_party_is_offered_the_extension_and_sees_the_other_sides_signature():
    kit = BranchKit(calendar=ORDER20_CALENDAR)
    kit.step("council", "case.accept", {})
    forms = party_forms(snapshot(kit), "P-RESPONDENT", Role.RESPONDENT)
    assert forms["extend"] == MAX_EXTENSION_WORKING_DAYS
    kit.step("claimant", "mediation.extend", {"working_days": 10})
    case = snapshot(kit)
    assert "extend" not in party_forms(case, "P-CLAIMANT", Role.CLAIMANT)
    view = mediation_view(case, kit.now, ORDER20_CALENDAR)
    page = render("case_mediation.html", "en", case=case, mediation=view)
    assert "Claimant has signed an extension of 10 working days" in page
    form = render("party_case/steps/extend.html", "zh-CN", case=case, mediation=view, steps={"extend": 30})
    assert 'data-step="mediation.extend"' in form and 'value="10"' in form and 'max="30"' in form


def test_the_rejection_form_offers_the_grounds_of_art_15_and_flags_a_late_claim():
    late = BranchKit(known_since="2023-03-01").m.snapshot()
    timely = BranchKit(known_since="2023-03-02").m.snapshot()
    grounds = list(REJECTION_GROUNDS)
    for language, words in (("en", "three years ended on 2026-03-01"), ("zh-CN", "三年已于2026-03-01届满")):
        page = render("case_steps/accept.html", language, case=late, grounds=grounds)
        assert 'id="time-barred"' in page and words in page
        assert [g for g in grounds if f'name="grounds" value="{g}"' not in page] == []
        assert 'value="over_three_years" checked' in page
        assert translate(language, "ground.handled_elsewhere") in page
        quiet = render("case_steps/accept.html", language, case=timely, grounds=grounds)
        assert 'id="time-barred"' not in quiet and "checked" not in quiet


def test_the_grounds_of_a_rejection_are_shown_in_the_readers_language():
    kit = BranchKit()
    kit.step(
        "council", "case.reject", {"reasons": "before an arbitration body", "grounds": ["handled_elsewhere"]}
    )
    case = snapshot(kit)
    for language in ("en", "zh-CN"):
        page = render("case_facts.html", language, case=case, names={}, mediation=None)
        assert 'data-ground="handled_elsewhere"' in page
        assert translate(language, "ground.handled_elsewhere") in page


def test_a_decision_concluded_after_the_mediation_period_is_shown_as_the_councils_expert_opinion():
    """Art. 21(5): "a panel decision already under way continues as the council's expert opinion"."""
    late = BranchKit(calendar=ORDER20_CALENDAR)
    late.step("council", "case.accept", {})
    late.step("respondent", "answer.submit", {"text": "answer"})
    late.run_to(snapshot(late).mediation_due)
    late.decide([600_000] * 3, outcome="split")
    late.run_to(late.m.objection_due)
    early = BranchKit(calendar=ORDER20_CALENDAR)
    early.to_draw()
    early.decide([600_000] * 3, outcome="split")
    early.run_to(early.m.objection_due)
    for language, words in (
        ("en", "expert opinion: this decision concluded after"),
        ("zh-CN", "委员会的专家意见"),
    ):
        page = render("case_outcome.html", language, case=snapshot(late))
        assert 'id="expert-opinion"' in page and words in page, (language, page)
        assert 'id="expert-opinion"' not in render("case_outcome.html", language, case=snapshot(early))


def test_a_deadline_a_newer_calendar_moved_is_listed_for_every_reader_in_both_languages():
    kit = BranchKit(calendar=ORDER20_CALENDAR)
    kit.step("council", "case.accept", {})
    quiet = render("case_facts.html", "en", case=snapshot(kit), names={}, mediation=None)
    assert 'id="recounts"' not in quiet
    holidays = frozenset({datetime(2026, 3, 4).date(), datetime(2026, 3, 5).date()})
    kit.m.update_calendar(WorkCalendar(holidays=holidays, official_years=frozenset({2026})), kit.now)
    case = snapshot(kit)
    for language, words in (
        ("en", "the end of the mediation period moved from 2026-05-04 to 2026-05-06"),
        ("zh-CN", "调解期限届满之日由 2026-05-04 改为 2026-05-06"),
    ):
        page = render("case_facts.html", language, case=case, names={}, mediation=None)
        assert 'data-deadline="mediation_due"' in page and words in page, (language, page)


def test_the_statutory_section_shows_the_duties_that_come_with_the_remedy_in_both_languages():
    """Order No. 43 arts. 21, 26 and 28 on a car claim that states the repair's hours and the day of
    the request: the courtesy car's days, the losses made good with a refund or replacement, and
    the seller's answer and completion days."""
    facts = {
        "invoiced_on": "2026-03-01",
        "fault_on": "2026-09-20",
        "km": 100,
        "fault_part": "other",
        "total_days_under_repair": 31,
        "repair_hours": 130,
        "requested_on": "2026-09-25",
    }
    case = BranchKit("car", car_facts=facts).m.snapshot()
    deadlines = dealer_deadlines(facts, WorkCalendar())
    for language, words in (
        (
            "en",
            ["1 day(s) in all", "registration fees", "answers by 2026-10-09", "by 2026-10-23", "Art. 26 of"],
        ),
        ("zh-CN", ["共 1 日", "车辆登记费用", "于 2026-10-09 前答复", "于 2026-10-23 前完成", "第二十六条"]),
    ):
        page = render(
            "case_facts.html", language, case=case, names={}, mediation=None, dealer_deadlines=deadlines
        )
        assert 'data-days-owed="1"' in page and 'data-loss="service_charges"' in page
        assert 'data-answer-by="2026-10-09"' in page and all(word in page for word in words), (language, page)


def test_the_statutory_section_says_when_a_period_ran_past_a_rest_day_in_both_languages():
    """Civil Code Art. 203 in the case's finding: delivered Saturday 21 February 2026, the 7 days end
    on Saturday the 28th and run to Monday 2 March, the day the gearbox failed."""
    facts = {
        "delivered_on": "2026-02-21",
        "fault_on": "2026-03-02",
        "km": 412,
        "fault_part": "transmission",
        "needs_main_part_replacement": True,
    }
    case = BranchKit("car", car_facts=facts).m.snapshot()
    for language, words in (
        ("en", "The 7 days of Art. 22 would have ended on 2026-02-28, a statutory rest day, so it ends"),
        (
            "zh-CN",
            "第二十二条的7日的最后一日 2026-02-28 是法定休假日，依《中华人民共和国民法典》第二百零三条",
        ),
    ):
        page = render("case_facts.html", language, case=case, names={}, mediation=None)
        assert 'data-period="refund_window"' in page and words in page and "2026-03-02" in page, language
