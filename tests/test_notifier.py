"""The notifier workflow through the real stack: mail into aiosmtpd, texts into the sandbox SMS
gateway, a WeCom group bot's messages into a stand-in for WeCom's server (tests/kits/wecom_bot.py),
the escrow's and the notifier's virtual clocks fast-forwarded on the dev server.

Each workflow has its own virtual clock: the escrow's decides when the stage is auto-accepted,
the notifier's when it reminds. The tests move each where the story needs it.
"""

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.notifier import NotifierLink
from activities.projections import ProjectionActivities
from activities.types import ProjectionInput
from cli.dispute_demo import CaseClocks
from client.case_session import CaseSession
from client.escrow_session import eventually
from db.models import Delivery
from domain.calendar import SHANGHAI
from notify.events import escrow_news
from sandbox_messages.store import Received
from tests.kits.case_kit import claim
from tests.kits.case_kit import file as file_claim
from tests.kits.flow import EscrowFlow
from tests.kits.messages_kit import WAIT_SECONDS, Messages, messages_stack
from tests.kits.webhook_receiver import receiving
from tests.kits.wecom_bot import BotPost, wecom_bots
from workflows.notifier import notify_task_queue

STAGES = [{"name": "hidden works", "amount_fen": 300_000}, {"name": "finishing", "amount_fen": 200_000}]
OWNER_MAIL = "li.wei@example.com"
OWNER_MOBILE = "+8613800138000"


@pytest.fixture
async def messages(temporal_env, tmp_path, thread_pool) -> AsyncIterator[Messages]:
    async with messages_stack(temporal_env.client, temporal_env, tmp_path, thread_pool) as running:
        yield running


async def funded(messages: Messages, **contract) -> EscrowFlow:
    flow = await EscrowFlow(messages.stack).register()
    await messages.verify(flow.owner, "email", OWNER_MAIL)
    await flow.create_funded(stages=STAGES, retention_fen=50_000, **contract)
    return flow


def titled(*words: str):
    return lambda message: all(word in message.title for word in words)


def mails_titled(messages: Messages, *words: str) -> list[Received]:
    return [m for m in messages.arrived("email", OWNER_MAIL) if titled(*words)(m)]


async def awaiting_acceptance(messages: Messages, flow: EscrowFlow) -> Received:
    await flow.request_inspection(1)
    await flow.report(1, "pass")
    return await messages.wait(
        "email", OWNER_MAIL, "the acceptance awaited", lambda m: "accept the stage" in m.body
    )


async def test_an_owner_under_auto_accept_is_told_reminded_twice_and_told_of_the_release(
    messages, record_history
):
    flow = await funded(messages, silence_policy="auto_accept")
    told = await awaiting_acceptance(messages, flow)
    assert told.title == f"{flow.escrow_id}: your step is awaited"
    assert f"https://escrow.example.cn/my/escrows/{flow.escrow_id}#stage-1" in told.body
    due = (await flow.state()).stages[0].acceptance_due
    assert due is not None
    assert due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in told.body

    notifier = messages.notifier(flow.escrow_id)
    until_72h = due - timedelta(hours=71) - await messages.stack.skipper.get_current_time(notifier)
    await messages.stack.skipper.fast_forward(notifier, until_72h)
    first = await messages.wait("email", OWNER_MAIL, "the 72 h reminder", titled("72 hours left"))
    assert "the stage is accepted and its payment released" in first.body
    assert mails_titled(messages, "24 hours left") == []

    await messages.stack.skipper.fast_forward(notifier, timedelta(hours=48))
    last = await messages.wait("email", OWNER_MAIL, "the 24 h reminder", titled("24 hours left"))
    assert "the stage is accepted and its payment released" in last.body

    await flow.fast_forward(timedelta(days=8))  # the escrow's clock: the window closes unanswered
    await flow.wait_for(lambda s: s.stages[0].status == "accepted", "the automatic acceptance")
    released = await messages.wait("email", OWNER_MAIL, "the release notice", titled("released"))
    assert released.title == f"{flow.escrow_id}: ¥3,000.00 released"
    # each was sent once, the reminders exactly as planned
    assert [len(mails_titled(messages, words)) for words in ("72 hours", "24 hours", "released")] == [1, 1, 1]
    await record_history(notifier, "notifier_auto_accept_reminders")  # still running: the escrow goes on


async def test_the_notifier_ends_with_its_escrow(messages, record_history):
    flow = await EscrowFlow(messages.stack).register()
    await messages.verify(flow.owner, "email", OWNER_MAIL)
    await flow.create(stages=STAGES, retention_fen=50_000)
    await flow.sign_contract()
    await flow.deposit(100_000)
    await messages.wait("email", OWNER_MAIL, "the deposit awaited", lambda m: "deposit" in m.body)
    await flow.fast_forward(timedelta(days=15))  # not funded in time: cancelled, the deposit refunded
    refunded = await messages.wait("email", OWNER_MAIL, "the refund", titled("refunded"))
    assert refunded.title == f"{flow.escrow_id}: ¥1,000.00 refunded"
    notifier = messages.notifier(flow.escrow_id)
    # until it ends (in quiet hours, once what it held went at 08:00); it may have ended already
    with contextlib.suppress(RPCError):
        await messages.stack.skipper.fast_forward(notifier)
    async with asyncio.timeout(WAIT_SECONDS):
        await notifier.result()
    assert (await notifier.describe()).status == WorkflowExecutionStatus.COMPLETED
    await record_history(notifier, "notifier_escrow_cancelled")
    await notifications_kept_off_the_escrows_queue(messages, flow, notifier)


async def notifications_kept_off_the_escrows_queue(messages: Messages, flow: EscrowFlow, notifier) -> None:
    """The notifier and every message it sent ran on the notify queue; the escrow's own tasks and
    activities on the escrow queue, with no message among them."""
    queue = messages.stack.settings.temporal_task_queue
    assert (await notifier.describe()).task_queue == notify_task_queue(queue)
    assert (await flow.handle.describe()).task_queue == queue
    sent = await scheduled(notifier)
    assert {"notify"} <= {name for name, _ in sent}
    assert {on for _, on in sent} == {notify_task_queue(queue)}
    escrows = await scheduled(flow.handle)
    assert {on for _, on in escrows} == {queue}
    assert {"notify", "send_webhook", "council_members"}.isdisjoint(name for name, _ in escrows)


async def scheduled(handle) -> list[tuple[str, str]]:
    """Each activity a workflow scheduled: its name and the task queue it went to."""
    history = await handle.fetch_history()
    return [
        (
            event.activity_task_scheduled_event_attributes.activity_type.name,
            event.activity_task_scheduled_event_attributes.task_queue.name,
        )
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


async def test_a_reminder_vanishes_when_the_action_is_done(messages):
    flow = await funded(messages, silence_policy="auto_accept")
    await awaiting_acceptance(messages, flow)
    report = (await flow.state()).stages[0].last_report
    assert report is not None
    await flow.accept(1, report.report_hash)
    await messages.wait("email", OWNER_MAIL, "the release notice", titled("released"))

    # Reminders are timers on the tracked actions (notify/plan.py): with the action no longer
    # tracked, none is left to fire. Checked on the notifier's state rather than by moving its
    # clock past the old deadline: that fast-forward once never completed in CI (a loaded machine),
    # while the first test shows the timers firing when the action is still open.
    state = await messages.state(flow.escrow_id)
    assert not [t for t in state.tracked if t.action.action == "stage.accept"]
    assert not [key for key in state.told if "stage.accept" in key and key.endswith("h@" + flow.owner.id)]
    assert mails_titled(messages, "hours left") == []


async def test_news_told_again_sends_nothing_twice(messages):
    """The same version signalled again, a projection retried, and a notifier started afresh after
    its history was lost (its state gone): each message still reaches the owner once."""
    flow = await funded(messages, silence_policy="auto_accept")
    await awaiting_acceptance(messages, flow)
    notifier = messages.notifier(flow.escrow_id)
    snapshot = await flow.state()

    await notifier.signal("news", escrow_news(snapshot))
    link = NotifierLink(
        messages.stack.temporal, notify_task_queue(messages.stack.settings.temporal_task_queue)
    )
    projections = ProjectionActivities(messages.stack.engine, link)
    retried = ProjectionInput(flow.escrow_id, snapshot.version, snapshot)
    await ActivityEnvironment().run(projections.project_escrow, retried)
    await notifier.terminate("its state is lost")
    await ActivityEnvironment().run(projections.project_escrow, retried)  # starts a fresh notifier

    report = snapshot.stages[0].last_report
    assert report is not None
    await flow.accept(1, report.report_hash)
    await messages.wait("email", OWNER_MAIL, "the release notice", titled("released"))
    awaited = [m for m in messages.arrived("email", OWNER_MAIL) if "accept the stage" in m.body]
    assert len(awaited) == 1
    assert len(mails_titled(messages, "released")) == 1


async def test_quiet_hours_hold_texts_but_not_mail(messages):
    flow = await EscrowFlow(messages.stack).register()
    await messages.verify(flow.owner, "email", OWNER_MAIL)
    await messages.verify(flow.owner, "sms", OWNER_MOBILE)
    await flow.create(stages=STAGES, retention_fen=50_000)
    notifier = messages.notifier(flow.escrow_id)
    await messages.caught_up(flow.escrow_id, (await flow.state()).version)

    now = await messages.stack.skipper.get_current_time(notifier)
    await messages.stack.skipper.fast_forward(notifier, at_shanghai(now, time(23, 0)) - now)
    await flow.sign_contract()  # the deposit is awaited now, at 23:00 on the notifier's clock
    await messages.wait("email", OWNER_MAIL, "the deposit awaited by mail", lambda m: "deposit" in m.body)
    assert [t for t in messages.arrived("sms", OWNER_MOBILE) if "deposit" in t.body] == []
    state = await messages.state(flow.escrow_id)
    (held,) = [h for h in state.held if h.message.params.get("action") == "deposit"]
    assert held.at.astimezone(SHANGHAI).time() == time(8, 0)

    await messages.stack.skipper.fast_forward(notifier, timedelta(hours=9, minutes=1))
    text = await messages.wait(
        "sms", OWNER_MOBILE, "the deposit by text at 08:00", lambda t: "deposit" in t.body
    )
    assert text.title == f"{flow.escrow_id}: your step is awaited"
    assert len([m for m in messages.arrived("email", OWNER_MAIL) if "deposit" in m.body]) == 1


def at_shanghai(after: datetime, moment: time) -> datetime:
    """The first `moment` (Shanghai time) after `after`."""
    local = after.astimezone(SHANGHAI)
    candidate = datetime.combine(local.date(), moment, SHANGHAI)
    return candidate if candidate > local else candidate + timedelta(days=1)


async def test_an_escrow_step_reaches_the_owners_webhook_endpoint_signed(messages):
    """The notifier's `send_webhook`, not a test, sends the event: the owner registers a receiver,
    the stage awaits the owner's acceptance, and the signed event arrives and verifies with the
    scheme docs/WEBHOOKS.md documents."""
    flow = await EscrowFlow(messages.stack).register()
    http = messages.stack.http
    with receiving() as receiver:
        registered = await http.post(
            "/parties/me/webhooks", json={"url": receiver.url}, headers=flow.owner.auth
        )
        assert registered.status_code == 201, registered.json()
        endpoint = registered.json()
        await flow.create_funded(stages=STAGES, retention_fen=50_000)
        await flow.request_inspection(1)
        await flow.report(1, "pass")

        async def events() -> list[dict]:
            return [json.loads(r.body) for r in receiver.received]

        def acceptance(found: list[dict]) -> list[dict]:
            return [e for e in found if e["data"].get("action") == "stage.accept"]

        await eventually(events, lambda found: bool(acceptance(found)), "the acceptance event", WAIT_SECONDS)
    (event,) = acceptance(await events())
    (request,) = [r for r in receiver.received if json.loads(r.body) == event]
    assert request.signed_by(endpoint["secret"])
    assert not request.signed_by("whsec_not_the_endpoints")
    assert request.headers["X-Escrow-Event-Id"] == event["id"]
    due = (await flow.state()).stages[0].acceptance_due
    assert due is not None
    assert (event["kind"], event["subject_id"]) == ("action_awaiting", flow.escrow_id)
    assert event["data"] == {"subject": flow.escrow_id, "action": "stage.accept", "due": due.isoformat()}
    assert event["id"].startswith(f"{flow.escrow_id}/stage.accept/stage-1/{flow.owner.id}/")
    assert {json.loads(r.body)["subject_id"] for r in receiver.received} == {flow.escrow_id}
    log = await http.get(f"/parties/me/webhooks/{endpoint['id']}/deliveries", headers=flow.owner.auth)
    lines = {line["event_id"]: line for line in log.json()}
    assert lines[event["id"]]["status"] == "delivered"


CONTRACTOR_MAIL = "office@jiazhuang.example.cn"
CONTRACTOR_MOBILE = "+8613900139000"
INSPECTOR_MAIL = "desk@lijiang-inspect.example.cn"


async def test_a_dispute_and_its_decision_arrive_by_mail_with_nothing_private(messages):
    """The owner disputes stage 1: the contractor (not the owner) is told by mail; the council
    decides: both are told. No mail, text or webhook event carries another party's address, a
    token or a webhook secret."""
    flow = await EscrowFlow(messages.stack).register()
    await messages.verify(flow.owner, "email", OWNER_MAIL)
    await messages.verify(flow.owner, "sms", OWNER_MOBILE)
    await messages.verify(flow.contractor, "email", CONTRACTOR_MAIL)
    await messages.verify(flow.contractor, "sms", CONTRACTOR_MOBILE)
    await messages.verify(flow.inspector, "email", INSPECTOR_MAIL)
    awake = {"language": "en", "muted": [], "quiet_hours": False}  # its texts come at any hour
    await messages.stack.http.put("/parties/me/preferences", json=awake, headers=flow.contractor.auth)
    with receiving() as receiver:
        registered = await messages.stack.http.post(
            "/parties/me/webhooks", json={"url": receiver.url}, headers=flow.contractor.auth
        )
        secret = registered.json()["secret"]
        await flow.create_funded(stages=STAGES, retention_fen=50_000)
        await flow.request_inspection(1)
        await flow.report(1, "pass")
        await flow.raise_dispute(flow.owner, [1], reason="water seeps under the bathroom tiles")

        raised = await messages.wait(
            "email", CONTRACTOR_MAIL, "the dispute raised", titled("a dispute was raised")
        )
        assert raised.title == f"{flow.escrow_id}: a dispute was raised"
        assert (
            f"the owner raised a dispute about {flow.escrow_id}: water seeps under the bathroom tiles"
            in raised.body
        )
        assert f"https://escrow.example.cn/my/escrows/{flow.escrow_id} " in raised.body + " "
        await messages.wait("sms", CONTRACTOR_MOBILE, "the dispute by text", titled("a dispute was raised"))

        await flow.decide(1, "split", pay_fen=200_000, refund_fen=100_000)
        for mail in (OWNER_MAIL, CONTRACTOR_MAIL):
            decided = await messages.wait("email", mail, "the decision", titled("the decision is signed"))
            assert decided.title == f"{flow.escrow_id}: the decision is signed"
        await messages.wait("email", OWNER_MAIL, "the refund", titled("¥1,000.00 refunded"))
        await messages.wait("email", CONTRACTOR_MAIL, "the release", titled("¥2,000.00 released"))

        async def kinds() -> list[str]:
            return [json.loads(r.body)["kind"] for r in receiver.received]

        await eventually(
            kinds, lambda found: "decision_signed" in found, "the decision's event", WAIT_SECONDS
        )
    assert mails_titled(messages, "a dispute was raised") == []  # the owner raised it

    addresses = {
        flow.owner.id: {OWNER_MAIL, OWNER_MOBILE},
        flow.contractor.id: {CONTRACTOR_MAIL, CONTRACTOR_MOBILE},
        flow.inspector.id: {INSPECTOR_MAIL},
    }
    kept = {secret, *(p.token for p in (flow.owner, flow.contractor, flow.inspector, flow.council))}
    for party_id, own in addresses.items():
        foreign = set().union(*addresses.values()) - own
        got = [m for address in own for kind in ("email", "sms") for m in messages.arrived(kind, address)]
        assert got, party_id
        for message in got:
            for private in foreign | kept:
                assert private not in message.title + message.body, (party_id, message.title)
    for request in receiver.received:
        for private in set().union(*addresses.values()) | kept:
            assert private.encode() not in request.body


WECOM_KEY = "693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa"


async def test_a_wecom_bot_gets_its_code_over_wecom_and_once_verified_is_told_what_is_awaited(
    messages, monkeypatch
):
    """The owner adds its WeCom group bot (`wecombot://KEY`): the code goes to the bot at once,
    posted by apprise's own wecombot plugin as WeCom's bot API expects it; while unverified the
    bot gets nothing else; the code read off the bot verifies the channel, and the deposit the
    escrow then awaits reaches the bot.

    Only WeCom's server (qyapi.weixin.qq.com, which cannot be reached from here) is a stand-in:
    tests/kits/wecom_bot.py points the plugin's fixed endpoint at a local server that answers as
    WeCom does. The mail channel is the witness that a message was sent while the bot was
    unverified."""
    flow = await EscrowFlow(messages.stack).register()
    http = messages.stack.http
    await messages.verify(flow.owner, "email", OWNER_MAIL)
    awake = {"language": "en", "muted": [], "quiet_hours": False}  # chat at any hour of the test's run
    assert (await http.put("/parties/me/preferences", json=awake, headers=flow.owner.auth)).is_success
    with wecom_bots(monkeypatch) as bots:
        added = await http.post(
            "/parties/me/channels",
            json={"kind": "chat", "address": f"wecombot://{WECOM_KEY}"},
            headers=flow.owner.auth,
        )
        assert added.status_code == 201, added.json()
        channel = added.json()
        assert (channel["address"], channel["verified_at"]) == ("wecombot://693a…", None)
        (sent,) = bots.received(WECOM_KEY)  # sent before the API answered
        assert sent.content_type.startswith("application/json")
        assert sent.body["msgtype"] in ("text", "markdown")
        assert set(sent.body) == {"msgtype", sent.body["msgtype"]}
        assert "Your verification code" in sent.text
        code = re.search(r"\b(\d{6})\b", sent.text)
        assert code is not None

        # unverified: the contract's signature awaited goes by mail, and no delivery is made for the bot
        await flow.create(stages=STAGES, retention_fen=50_000)
        await messages.wait("email", OWNER_MAIL, "the signature awaited", lambda m: "awaited" in m.title)
        with Session(messages.stack.engine) as session:
            assert session.exec(select(Delivery).where(Delivery.channel_id == channel["id"])).all() == []
        assert len(bots.received(WECOM_KEY)) == 1

        verified = await http.post(
            f"/parties/me/channels/{channel['id']}/verify",
            json={"code": code.group(1)},
            headers=flow.owner.auth,
        )
        assert verified.status_code == 200, verified.json()
        assert verified.json()["verified_at"] is not None

        await flow.sign_contract()  # the deposit is awaited now, from the owner

        async def deposit_asked() -> list[BotPost]:
            return [p for p in bots.received(WECOM_KEY) if "deposit" in p.text]

        (asked,) = await eventually(deposit_asked, bool, "the deposit awaited on the bot", WAIT_SECONDS)
    assert asked.body["msgtype"] in ("text", "markdown")
    assert f"{flow.escrow_id}: your step is awaited" in asked.text
    assert f"https://escrow.example.cn/my/escrows/{flow.escrow_id}" in asked.text
    assert WECOM_KEY not in asked.text


async def test_a_reminder_moves_with_a_deadline_that_moved(messages):
    """A real deadline move: the owner disputes the stage it was reminded to accept, takes the
    dispute to the council three days into the window (escrow time) and withdraws the case; the
    acceptance window starts afresh (domain/escrow/machine.py `_withdraw`). The 72 h reminder
    comes again, for the new deadline, and the old deadline's 24 h reminder never comes."""
    flow = await funded(messages, silence_policy="auto_accept")
    await awaiting_acceptance(messages, flow)
    stage = (await flow.state()).stages[0]
    old_due = stage.acceptance_due
    assert old_due is not None
    notifier = messages.notifier(flow.escrow_id)
    skipper = messages.stack.skipper
    await skipper.fast_forward(
        notifier, old_due - timedelta(hours=71) - await skipper.get_current_time(notifier)
    )
    first = await messages.wait("email", OWNER_MAIL, "the 72 h reminder", titled("72 hours left"))
    assert shanghai(old_due) in first.body

    await flow.fast_forward(timedelta(days=3))  # the escrow's clock: 3 days of the window pass
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    filed = await file_claim(
        messages.stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1, disputed_fen=300_000)
    )
    assert filed.status_code == 201, filed.json()
    case = CaseSession(
        messages.stack.http,
        claimant=flow.owner,
        respondent=flow.contractor,
        council=flow.council,
        clock=CaseClocks(messages.stack.temporal).now,  # the case's own virtual clock
    )
    case.case_id = filed.json()["case_id"]
    await case.accept()
    await case.withdraw(
        "the contractor fixed the leak", case.withdrawal_escrow_step(flow.escrow_id, 1, await flow.now())
    )
    moved = await flow.wait_for(
        lambda s: s.stages[0].dispute is None and s.stages[0].acceptance_due != old_due, "the window afresh"
    )
    new_due = moved.stages[0].acceptance_due
    assert new_due is not None and new_due - old_due >= timedelta(days=3)

    # past the old deadline and the new one's 72 h mark, on the notifier's clock
    await skipper.fast_forward(
        notifier, new_due - timedelta(hours=71) - await skipper.get_current_time(notifier)
    )

    def for_the_new_deadline(message: Received) -> bool:
        return titled("72 hours left")(message) and shanghai(new_due) in message.body

    again = await messages.wait(
        "email", OWNER_MAIL, "the 72 h reminder of the new deadline", for_the_new_deadline
    )
    assert shanghai(old_due) not in again.body
    assert "the stage is accepted and its payment released" in again.body
    assert mails_titled(messages, "24 hours left") == []
    reminded = [
        key.removesuffix(f"@{flow.owner.id}").split("/due-")[1]
        for key in (await messages.state(flow.escrow_id)).told
        if "/due-" in key
    ]
    assert sorted(
        (datetime.fromisoformat(due), hours) for due, hours in (r.split("/") for r in reminded)
    ) == [
        (old_due, "72h"),
        (new_due, "72h"),
    ]


def shanghai(moment: datetime) -> str:
    """A due time as messages state it."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
