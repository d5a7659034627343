"""What the notifier sends and when, derived from the machines' snapshots: pure, no Temporal.

Snapshots come from the pure machine harnesses (tests/kits/machine_kit.py, dispute_kit.py), so
the open actions and facts are the machines' own; the notifier's clock is passed in.
"""

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from temporalio.converter import DataConverter

from domain.calendar import SHANGHAI, WorkCalendar
from domain.case.steps import CASE_RULES
from domain.escrow.steps import ESCROW_RULES
from domain.escrow.terms import SilencePolicy
from domain.open_actions import AtDeadline, OpenAction
from domain.roles import Role
from notify.events import Recipient, SubjectNews, case_news, escrow_news, page_link
from notify.kinds import MessageKind
from notify.messages import LANGUAGES, PARAMS, catalogue, render
from notify.plan import Held, Message, NotifierState, absorb, next_wake, quiet_until, reminders_due
from tests.kits.dispute_kit import BranchKit, CaseKit
from tests.kits.machine_kit import Kit, funded

OWNER = Recipient(Role.OWNER, "P-OWNER")


def state_of(news: SubjectNews) -> NotifierState:
    return NotifierState(news.subject_id, news.subject_kind)


def awaiting_acceptance(policy: SilencePolicy = SilencePolicy.AUTO_ACCEPT) -> Kit:
    kit = funded(policy=policy)
    kit.inspected(1)
    return kit


def test_a_stage_awaiting_acceptance_tells_the_owner_what_by_when_and_where():
    kit = awaiting_acceptance()
    state = state_of(escrow_news(kit.m.snapshot()))
    sent = absorb(state, escrow_news(kit.m.snapshot()), kit.now)
    (told,) = [m for m in sent if m.params.get("action") == "stage.accept"]
    due = kit.stage(1).acceptance_due
    assert (told.kind, told.recipient) == (MessageKind.ACTION_AWAITING, OWNER)
    assert told.params == {"subject": kit.m.escrow_id, "action": "stage.accept", "due": due.isoformat()}
    assert told.link == f"/my/escrows/{kit.m.escrow_id}#stage-1"
    words = render(told.kind, told.params, told.link, "en")
    assert words.body.startswith(f"{kit.m.escrow_id} waits for you: accept the stage or dispute it. Due: ")


def test_reminders_come_72_and_24_hours_before_and_say_what_happens_then():
    kit = awaiting_acceptance()
    state = state_of(escrow_news(kit.m.snapshot()))
    absorb(state, escrow_news(kit.m.snapshot()), kit.now)
    due = kit.stage(1).acceptance_due
    assert next_wake(state, kit.now) == due - timedelta(hours=72)
    assert reminders_due(state, due - timedelta(hours=73)) == []

    (first,) = reminders_due(state, due - timedelta(hours=72))
    assert (first.kind, first.params["hours"], first.last_reminder) == (
        MessageKind.DEADLINE_REMINDER,
        72,
        False,
    )
    assert first.params["consequence"] == AtDeadline.AUTO_ACCEPTS
    assert reminders_due(state, due - timedelta(hours=71)) == []  # told once
    assert next_wake(state, due - timedelta(hours=71)) == due - timedelta(hours=24)
    (last,) = reminders_due(state, due - timedelta(hours=2))
    assert (last.params["hours"], last.last_reminder) == (24, True)
    assert "the stage is accepted and its payment released" in render(last.kind, last.params, "/", "en").body
    assert "该阶段视为确认并放款" in render(last.kind, last.params, "/", "zh-CN").body


def test_escalation_is_what_an_escalating_contract_is_reminded_of():
    kit = awaiting_acceptance(SilencePolicy.ESCALATE)
    state = state_of(escrow_news(kit.m.snapshot()))
    absorb(state, escrow_news(kit.m.snapshot()), kit.now)
    (first,) = reminders_due(state, kit.stage(1).acceptance_due - timedelta(hours=72))
    assert first.params["consequence"] == AtDeadline.ESCALATES


def test_a_reminder_vanishes_when_the_action_is_done_and_money_moved_is_told_to_both_sides():
    kit = awaiting_acceptance()
    state = state_of(escrow_news(kit.m.snapshot()))
    absorb(state, escrow_news(kit.m.snapshot()), kit.now)
    due = kit.stage(1).acceptance_due
    kit.accept(1)
    kit.settle()
    sent = absorb(state, escrow_news(kit.m.snapshot()), kit.now)
    money = [m for m in sent if m.kind is MessageKind.MONEY_MOVED]
    assert {m.recipient.role for m in money} == {Role.OWNER, Role.CONTRACTOR}
    assert {(m.params["amount_fen"], m.params["movement"]) for m in money} == {(30_000, "released")}
    assert render(money[0].kind, money[0].params, "/", "en").title == f"{kit.m.escrow_id}: ¥300.00 released"
    assert reminders_due(state, due - timedelta(hours=1)) == []
    assert next_wake(state, kit.now) != due - timedelta(hours=72)
    assert [m for m in absorb(state, escrow_news(kit.m.snapshot()), kit.now)] == []


def test_a_version_already_taken_changes_nothing():
    fresh = Kit()
    assert fresh.m.snapshot().version == 0  # a draft's first snapshot is version 0: it is news too
    assert absorb(state_of(escrow_news(fresh.m.snapshot())), escrow_news(fresh.m.snapshot()), fresh.now)
    kit = awaiting_acceptance()
    news = escrow_news(kit.m.snapshot())
    state = state_of(news)
    assert absorb(state, news, kit.now)
    told = list(state.told)
    assert absorb(state, news, kit.now) == []
    older = replace(news, version=news.version - 1, actions=[])
    assert absorb(state, older, kit.now) == [] and state.told == told and state.tracked


def test_a_moved_deadline_moves_its_reminders():
    action = OpenAction(
        "stage.accept", Role.OWNER, "P-OWNER", None, T_DUE, AtDeadline.AUTO_ACCEPTS, "stage-1"
    )
    state = NotifierState("ESC-2026-00001", "escrow")
    absorb(state, news_with(1, action), T_SEEN)
    later = replace(action, due=T_DUE + timedelta(days=3))
    assert absorb(state, news_with(2, later), T_SEEN) == []  # the same action: not told again
    assert next_wake(state, T_SEEN) == later.due - timedelta(hours=72)
    assert reminders_due(state, T_DUE - timedelta(hours=72)) == []


def test_no_72_hour_reminder_for_an_action_opened_30_hours_before_its_deadline():
    action = OpenAction("cancel.sign", Role.OWNER, "P-OWNER", None, T_DUE, AtDeadline.DISPUTES_CANCELLATION)
    state = NotifierState("ESC-2026-00001", "escrow")
    absorb(state, news_with(1, action), T_DUE - timedelta(hours=30))
    (only,) = reminders_due(state, T_DUE - timedelta(hours=24))
    assert only.params["hours"] == 24


def test_no_reminder_for_an_action_with_nothing_at_its_deadline():
    action = OpenAction("dispute.decide", Role.COUNCIL, None, T_SEEN, None, AtDeadline.NOTHING, "dispute-1")
    state = NotifierState("ESC-2026-00001", "escrow")
    (told,) = absorb(state, news_with(1, action), T_SEEN)
    assert told.recipient == Recipient(Role.COUNCIL, None)  # every council member
    assert told.params["due"] == "" and "Due: no set time" in render(told.kind, told.params, "/", "en").body
    assert next_wake(state, T_SEEN) is None


def test_a_dispute_is_told_to_the_other_side_and_an_escalation_to_both():
    kit = funded()
    kit.inspected(1)
    kit.dispute("owner", [1])
    (raised,) = [f for f in escrow_news(kit.m.snapshot()).facts if f.kind is MessageKind.DISPUTE_RAISED]
    assert [r.role for r in raised.recipients] == [Role.CONTRACTOR]
    assert "the owner raised a dispute" in render(raised.kind, raised.params, "/", "en").body

    silent = awaiting_acceptance(SilencePolicy.ESCALATE)
    silent.tick(timedelta(days=8))
    (escalated,) = [f for f in escrow_news(silent.m.snapshot()).facts if f.kind is MessageKind.DISPUTE_RAISED]
    assert [r.role for r in escalated.recipients] == [Role.OWNER, Role.CONTRACTOR]


def test_a_case_tells_the_respondent_the_experts_their_seats_and_both_sides_the_decision():
    kit = CaseKit()
    assert [f for f in case_news(kit.m.snapshot()).facts] == []  # filed: the council decides first
    kit.to_draw()
    seats = kit.draw()
    news = case_news(kit.m.snapshot())
    raised = [f for f in news.facts if f.kind is MessageKind.DISPUTE_RAISED]
    assert [r.party_id for f in raised for r in f.recipients] == ["P-RESPONDENT"]
    offered = [f for f in news.facts if f.kind is MessageKind.PANEL_SEAT_OFFERED]
    assert sorted(r.party_id for f in offered for r in f.recipients) == sorted(f"P-{e}" for e in seats)
    state = NotifierState(news.subject_id, news.subject_kind)
    sent = absorb(state, news, kit.now)
    seat = next(m for m in sent if m.kind is MessageKind.PANEL_SEAT_OFFERED)
    assert seat.link == f"/expert/cases/{news.subject_id}"
    assert seat.params["due"] == kit.m.round.seats[seats[0]].declaration_due.isoformat()
    assert not [m for m in sent if m.params.get("action") == "declaration.sign"]  # the offer says it


def test_news_and_state_cross_temporal_as_they_were():
    """What the projections signal and what a run continued as new carries, through the default
    data converter the workflows use."""
    kit = CaseKit()
    kit.to_draw()
    kit.draw()
    news = case_news(kit.m.snapshot())
    escrow = awaiting_acceptance()
    state = state_of(escrow_news(escrow.m.snapshot()))
    absorb(state, escrow_news(escrow.m.snapshot()), escrow.now)
    state.held.append(Held(escrow.now, absorb_first(escrow)))
    converter = DataConverter.default
    for value, kind in ((news, SubjectNews), (state, NotifierState)):
        (back,) = asyncio.run(converter.decode(asyncio.run(converter.encode([value])), [kind]))
        assert back == value


def absorb_first(kit: Kit) -> Message:
    news = escrow_news(kit.m.snapshot())
    return absorb(state_of(news), news, kit.now)[0]


def test_links_go_to_the_page_each_reader_uses():
    assert page_link("escrow", "ESC-1", Role.COUNCIL, "dispute-1") == "/my/escrows/ESC-1"
    assert page_link("escrow", "ESC-1", Role.INSPECTOR, "stage-2") == "/my/escrows/ESC-1#stage-2"
    assert page_link("case", "CASE-1", Role.RESPONDENT, None) == "/my/cases/CASE-1"
    assert page_link("case", "CASE-1", Role.COUNCIL, None) == "/council/cases/CASE-1"
    assert page_link("case", "CASE-1", Role.EXPERT, "EXP-1") == "/expert/cases/CASE-1"


def test_quiet_hours_hold_texts_at_night_but_not_the_last_reminder():
    night = datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI)
    message = Message(OWNER, MessageKind.DEADLINE_REMINDER, "k", "ESC-1", {}, "/")
    held = quiet_until(night, message)
    assert held is not None and held.astimezone(SHANGHAI).time() == time(8, 0) and held > night
    assert quiet_until(night, replace(message, last_reminder=True)) is None
    assert quiet_until(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), message) is None


def test_every_action_consequence_and_role_has_words():
    # the signed steps, and the acts outside them the machines await: a deposit, the panel draw, a claim
    actions = set(ESCROW_RULES) | set(CASE_RULES) | {"deposit", "panel.draw", "claim.file"}
    for language in LANGUAGES:
        words = catalogue(language)
        assert set(words["actions"]) == actions
        assert set(words["at_deadline"]) == {value.value for value in AtDeadline}
        assert set(words["roles"]) == {role.value for role in Role} | {"system"}


T_SEEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
T_DUE = T_SEEN + timedelta(days=7)


def news_with(version: int, *actions: OpenAction) -> SubjectNews:
    return SubjectNews("ESC-2026-00001", "escrow", version, closed=False, actions=list(actions))


def test_a_text_held_by_quiet_hours_is_dropped_when_its_action_is_done_meanwhile():
    """The owner is told at night that a stage awaits acceptance; the SMS waits for 08:00. The owner
    accepts before then: the held text would ask for what was done, so it goes nowhere."""
    kit = awaiting_acceptance()
    state = state_of(escrow_news(kit.m.snapshot()))
    (told,) = [m for m in absorb(state, escrow_news(kit.m.snapshot()), kit.now) if m.params.get("action")]
    state.held.append(Held(kit.now + timedelta(hours=6), told))
    fact = replace(told, action_key=None, event_key="a-fact")  # news not about an action stays held
    state.held.append(Held(kit.now + timedelta(hours=6), fact))
    absorb(state, replace(escrow_news(kit.m.snapshot()), version=state.version + 1), kit.now)
    assert [h.message for h in state.held] == [told, fact]  # still awaited: still held

    kit.accept(1)
    absorb(state, replace(escrow_news(kit.m.snapshot()), version=state.version + 1), kit.now)
    assert [h.message for h in state.held] == [fact]


def test_an_amount_held_back_is_told_to_both_sides_once_in_yuan():
    kit = funded()
    report_hash = kit.inspected(1)
    holdback = {"item": "door", "description": "door gap", "amount_fen": 3_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 27_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    kit.settle()
    news = escrow_news(kit.m.snapshot())
    state = state_of(news)
    money = [m for m in absorb(state, news, kit.now) if m.kind is MessageKind.MONEY_MOVED]
    held = [m for m in money if m.params["movement"] == "held_back"]
    assert {m.recipient.role for m in held} == {Role.OWNER, Role.CONTRACTOR}
    assert {m.params["amount_fen"] for m in held} == {3_000}
    assert {m.link for m in held} == {f"/my/escrows/{kit.m.escrow_id}#stage-1"}
    assert {(m.params["amount_fen"], m.params["movement"]) for m in money} == {
        (3_000, "held_back"),
        (27_000, "released"),
    }
    english = render(held[0].kind, held[0].params, "/", "en")
    chinese = render(held[0].kind, held[0].params, "/", "zh-CN")
    assert english.title == f"{kit.m.escrow_id}: ¥30.00 held back"
    assert chinese.title == f"{kit.m.escrow_id}：¥30.00 已暂扣"
    assert english.body.startswith("¥30.00 was held back for ")
    later = replace(escrow_news(kit.m.snapshot()), version=news.version + 1)
    assert [m for m in absorb(state, later, kit.now) if m.kind is MessageKind.MONEY_MOVED] == []


def test_a_panel_seat_offer_reads_with_its_declaration_deadline_in_shanghai_time():
    kit = CaseKit()
    kit.to_draw()
    seats = kit.draw()
    news = case_news(kit.m.snapshot())
    sent = absorb(state_of(news), news, kit.now)
    (offer,) = [
        m
        for m in sent
        if m.kind is MessageKind.PANEL_SEAT_OFFERED and m.recipient.party_id == f"P-{seats[0]}"
    ]
    due = kit.m.round.seats[seats[0]].declaration_due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    link = f"https://escrow.example.cn{offer.link}"
    english = render(offer.kind, offer.params, link, "en")
    assert english.title == f"{news.subject_id}: a panel seat is offered to you"
    assert english.body.endswith(f"Sign your independence declaration by {due} (UTC+8): {link}")
    chinese = render(offer.kind, offer.params, link, "zh-CN")
    assert f"{due} (UTC+8)" in chinese.body and chinese.body.endswith(link)
    assert offer.recipient.role is Role.EXPERT and offer.link == f"/expert/cases/{news.subject_id}"


def test_a_case_decision_is_told_to_both_sides_once_it_stands_and_to_no_expert():
    kit = BranchKit()
    kit.to_draw()
    news = case_news(kit.m.snapshot())
    state = state_of(news)
    absorb(state, news, kit.now)
    kit.decide([600_000, 400_000, 500_000], outcome="split")
    countersigned = case_news(kit.m.snapshot())  # both sides are asked whether they object
    objections = [
        m for m in absorb(state, countersigned, kit.now) if m.params.get("action") == "decision.object"
    ]
    assert {m.recipient.role for m in objections} == {Role.CLAIMANT, Role.RESPONDENT}
    kit.run_to(kit.m.objection_due)  # nobody objected: the decision stands
    news = case_news(kit.m.snapshot())
    decided = [m for m in absorb(state, news, kit.now) if m.kind is MessageKind.DECISION_SIGNED]
    assert sorted((m.recipient.role, m.recipient.party_id) for m in decided) == [
        (Role.CLAIMANT, "P-CLAIMANT"),
        (Role.RESPONDENT, "P-RESPONDENT"),
    ]
    assert {m.link for m in decided} == {f"/my/cases/{news.subject_id}"}
    assert render(decided[0].kind, decided[0].params, "/", "en").title == (
        f"{news.subject_id}: the decision is signed"
    )
    again = replace(case_news(kit.m.snapshot()), version=news.version + 1)
    assert [m for m in absorb(state, again, kit.now) if m.kind is MessageKind.DECISION_SIGNED] == []


def test_every_message_of_a_whole_escrow_and_case_carries_only_its_kinds_params():
    """What a message may carry is declared per kind (notify/messages.PARAMS: ids, amounts, times,
    words): no contact address, document or secret can ride along in a param nobody declared
    (the inbox API and the webhook events show params as they are)."""
    escrow = funded()
    report_hash = escrow.inspected(1)
    holdback = {"item": "door", "description": "door gap", "amount_fen": 3_000}
    escrow.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 27_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    escrow.settle()
    escrow.inspected(2)
    escrow.dispute("owner", [2])
    escrow.decide(1, "split", pay_fen=20_000, refund_fen=10_000)
    escrow.settle()
    case = BranchKit()
    case.to_draw()
    case.draw()
    sent: list[Message] = []
    for news in (escrow_news(escrow.m.snapshot()), case_news(case.m.snapshot())):
        sent += absorb(state_of(news), news, escrow.now)
    case.decide([600_000, 400_000, 500_000], outcome="split")
    case.run_to(case.m.objection_due)
    sent += absorb(state_of(case_news(case.m.snapshot())), case_news(case.m.snapshot()), case.now)
    assert {m.kind for m in sent} >= {
        MessageKind.ACTION_AWAITING,
        MessageKind.MONEY_MOVED,
        MessageKind.DISPUTE_RAISED,
        MessageKind.PANEL_SEAT_OFFERED,
        MessageKind.DECISION_SIGNED,
    }
    for message in sent:
        assert set(message.params) == PARAMS[message.kind], message.kind
        assert all(isinstance(value, str | int) for value in message.params.values()), message.params


def test_the_end_of_the_mediation_period_tells_both_parties_once_in_their_language():
    """SAMR Order No. 20 art. 21(5): at 45 working days without agreement the case "tells both
    parties, in their language, that they may go to arbitration or court"."""
    kit = CaseKit()
    kit.step("council", "case.accept", {})
    state = NotifierState(kit.m.subject_id, "case")
    absorb(state, case_news(kit.m.snapshot()), kit.now)
    kit.tick(kit.m.mediation.due - kit.now)
    assert kit.m.mediation.ended_at is not None
    sent = [
        m
        for m in absorb(state, case_news(kit.m.snapshot()), kit.now)
        if m.kind is MessageKind.MEDIATION_ENDED
    ]
    assert sorted(m.recipient.party_id for m in sent) == ["P-CLAIMANT", "P-RESPONDENT"]
    ended = kit.m.mediation.ended_at.astimezone(SHANGHAI).date().isoformat()
    assert sent[0].params == {"subject": kit.m.subject_id, "ended": ended}
    assert sent[0].link == f"/my/cases/{kit.m.subject_id}"
    english = render(MessageKind.MEDIATION_ENDED, sent[0].params, sent[0].link, "en")
    chinese = render(MessageKind.MEDIATION_ENDED, sent[0].params, sent[0].link, "zh-CN")
    assert ended in english.body and "arbitration" in english.body and "court" in english.body
    assert ended in chinese.body and "仲裁" in chinese.body and "人民法院" in chinese.body
    assert "expert opinion" in english.body and "专家意见" in chinese.body
    kit.tick(timedelta(days=1))  # a later snapshot tells nobody again
    later = absorb(state, case_news(kit.m.snapshot()), kit.now)
    assert [m for m in later if m.kind is MessageKind.MEDIATION_ENDED] == []


def test_a_deadline_moved_by_a_newer_calendar_is_told_to_the_parties_whose_deadline_it_is():
    """The mediation period's end is both parties'; the acceptance decision is awaited by the claimant
    alone (the respondent is told of the case once it is accepted)."""
    holidays = WorkCalendar(holidays=frozenset({date(2026, 3, 4), date(2026, 3, 5)}))
    filed = CaseKit()
    filed.m.update_calendar(holidays, filed.now)
    (moved,) = [f for f in case_news(filed.m.snapshot()).facts if f.kind is MessageKind.DEADLINE_MOVED]
    assert [r.party_id for r in moved.recipients] == ["P-CLAIMANT"]
    assert moved.params["deadline"] == "acceptance_due"

    kit = CaseKit()
    kit.step("council", "case.accept", {})
    state = NotifierState(kit.m.subject_id, "case")
    absorb(state, case_news(kit.m.snapshot()), kit.now)
    was = kit.m.mediation.due.astimezone(SHANGHAI).date().isoformat()
    kit.m.update_calendar(holidays, kit.now)
    moved_to = kit.m.mediation.due.astimezone(SHANGHAI).date().isoformat()
    assert moved_to != was
    sent = [
        m for m in absorb(state, case_news(kit.m.snapshot()), kit.now) if m.kind is MessageKind.DEADLINE_MOVED
    ]
    assert sorted(m.recipient.party_id for m in sent) == ["P-CLAIMANT", "P-RESPONDENT"]
    params = {"subject": kit.m.subject_id, "deadline": "mediation_due", "was": was, "moved_to": moved_to}
    assert sent[0].params == params
    english = render(MessageKind.DEADLINE_MOVED, params, sent[0].link, "en")
    chinese = render(MessageKind.DEADLINE_MOVED, params, sent[0].link, "zh-CN")
    assert f"the end of the mediation period of {kit.m.subject_id}" in english.body
    assert f"falls on {moved_to} now, not on {was}" in english.body
    assert "调解期限届满之日" in chinese.body and f"由 {was} 改为 {moved_to}" in chinese.body
    kit.m.update_calendar(holidays, kit.now + timedelta(hours=1))  # nothing moves: nothing more to tell
    assert [
        m for m in absorb(state, case_news(kit.m.snapshot()), kit.now) if m.kind is MessageKind.DEADLINE_MOVED
    ] == []
