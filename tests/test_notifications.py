"""Channels, verification and the notify activity over real SMTP and real HTTP.

The mail goes through apprise into aiosmtpd started here on a free port (sandbox_messages/smtp.py,
the very server `make run` starts), texts into the sandbox SMS gateway served here; what they
received is read back as the /dev/messages page reads it (sandbox_messages/store.py). The
activity runs in Temporal's ActivityEnvironment: its retries are simulated by running it again
with the same input, as Temporal would after a crash, and a crash is injected where one hurts.
"""

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import notify as notify_activity
from activities.notify import NotifyActivities
from activities.types import NotifyInput
from api.main import create_app
from client.party import Party
from config.settings import LOOPBACK_DRIVER_LIMITS, Settings
from db import crud
from db.engine import make_engine
from db.migrate import upgrade
from db.models import ContactChannel, Delivery, Notification
from notify.providers import providers
from sandbox_messages import sms
from sandbox_messages.smtp import mail_server
from sandbox_messages.store import Received, received
from tests.kits.servers import free_port, serve


@dataclass
class World:
    settings: Settings
    http: httpx.AsyncClient
    activities: NotifyActivities
    engine: Engine
    data_dir: Path

    def mails(self, to: str) -> list[Received]:
        return [m for m in received(self.data_dir) if m.channel == "email" and m.to == to]

    def texts(self, to: str) -> list[Received]:
        return [m for m in received(self.data_dir) if m.channel == "sms" and m.to == to]


@pytest.fixture
def mail_port(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    server = mail_server(tmp_path / "dev", port)
    server.start()
    yield port
    server.stop()


@pytest.fixture
async def world(tmp_path: Path, mail_port: int) -> AsyncIterator[World]:
    data_dir = tmp_path / "dev"
    async with serve(sms.create_app(data_dir)) as sms_url:
        settings = Settings(
            data_dir=tmp_path,
            dev_smtp_port=mail_port,
            sms_url_template=f"json://{sms_url.removeprefix('http://')}/sms?:to={{address}}",
            public_url="https://escrow.example.cn",
            **LOOPBACK_DRIVER_LIMITS,
        )
        upgrade(settings.app_database_url())
        engine = make_engine(settings.app_database_url())
        async with serve(create_app(settings)) as api_url, httpx.AsyncClient(base_url=api_url) as http:
            yield World(settings, http, NotifyActivities(engine, providers(settings)), engine, data_dir)
        engine.dispose()


def code_in(message: Received) -> str:
    found = re.search(r"\b(\d{6})\b", message.title)
    assert found, message
    return found.group(1)


async def verified(world: World, party: Party, kind: str, address: str) -> dict:
    added = await world.http.post(
        "/parties/me/channels", json={"kind": kind, "address": address}, headers=party.auth
    )
    assert added.status_code == 201, added.json()
    stored = added.json()["address"]
    inbox = world.mails(stored) if kind == "email" else world.texts(stored)
    done = await world.http.post(
        f"/parties/me/channels/{added.json()['id']}/verify",
        json={"code": code_in(inbox[0])},
        headers=party.auth,
    )
    assert done.status_code == 200, done.json()
    return done.json()


async def notify(activities: NotifyActivities, input: NotifyInput) -> None:
    """Run the activity as a worker does, off the event loop (which serves the SMS gateway)."""
    await asyncio.to_thread(ActivityEnvironment().run, activities.notify, input)


def money_moved(party: Party, event: str = "ESC-2026-00001/stage-1/released") -> NotifyInput:
    return NotifyInput(
        party_id=party.id,
        kind="money_moved",
        event_key=event,
        subject_id="ESC-2026-00001",
        params={
            "subject": "ESC-2026-00001",
            "amount_fen": 1_250_000,
            "movement": "released",
            "detail": "stage 1",
        },
        link="/my/escrows/ESC-2026-00001",
    )


async def test_the_code_comes_by_mail_and_verifies_the_channel(world: World) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    added = await world.http.post(
        "/parties/me/channels", json={"kind": "email", "address": "li@example.com"}, headers=owner.auth
    )
    assert added.status_code == 201
    channel = added.json()
    assert channel["verified_at"] is None and channel["code_expires_at"] is not None
    [mail] = world.mails("li@example.com")
    assert mail.title.startswith("您的验证码")  # the party's language: Chinese until it chooses
    code = code_in(mail)
    verify = f"/parties/me/channels/{channel['id']}/verify"

    wrong = "000000" if code != "000000" else "111111"
    refused = await world.http.post(verify, json={"code": wrong}, headers=owner.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, "wrong_code")
    done = await world.http.post(verify, json={"code": code}, headers=owner.auth)
    assert done.status_code == 200 and done.json()["verified_at"] is not None
    again = await world.http.post(verify, json={"code": code}, headers=owner.auth)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "already_verified")

    # another party neither sees nor verifies it
    other = await Party(world.http, "owner", "Zhang San").register()
    assert (await world.http.get("/parties/me/channels", headers=other.auth)).json() == []
    foreign = await world.http.post(verify, json={"code": code}, headers=other.auth)
    assert (foreign.status_code, foreign.json()["detail"]["code"]) == (404, "channel_not_found")


async def test_a_channel_sent_again_with_its_form_key_answers_the_first_and_sends_one_code(
    world: World,
) -> None:
    """The contact form's key (drawn when the page showed it): the same channel sent again is the
    channel first added, with no second code; without the key it would be channel_taken."""
    owner = await Party(world.http, "owner", "Li Wei").register()
    keyed = owner.auth | {"Idempotency-Key": "form-contact-page-0001"}
    body = {"kind": "email", "address": "again@example.com"}

    first = await world.http.post("/parties/me/channels", json=body, headers=keyed)
    again = await world.http.post("/parties/me/channels", json=body, headers=keyed)
    other = await world.http.post(
        "/parties/me/channels", json={**body, "address": "b@example.com"}, headers=keyed
    )

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert (other.status_code, other.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    assert [c["id"] for c in (await world.http.get("/parties/me/channels", headers=owner.auth)).json()] == [
        first.json()["id"]
    ]
    assert len(world.mails("again@example.com")) == 1


async def test_five_wrong_codes_spend_the_code_and_a_new_one_works(world: World) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    added = await world.http.post(
        "/parties/me/channels", json={"kind": "sms", "address": "13800138000"}, headers=owner.auth
    )
    channel_id = added.json()["id"]
    first = code_in(world.texts("+8613800138000")[0])
    wrong = "000000" if first != "000000" else "111111"
    for _ in range(5):
        await world.http.post(
            f"/parties/me/channels/{channel_id}/verify", json={"code": wrong}, headers=owner.auth
        )
    spent = await world.http.post(
        f"/parties/me/channels/{channel_id}/verify", json={"code": first}, headers=owner.auth
    )
    assert (spent.status_code, spent.json()["detail"]["code"]) == (409, "too_many_attempts")
    resend = f"/parties/me/channels/{channel_id}/code"
    soon = await world.http.post(resend, headers=owner.auth)
    assert (soon.status_code, soon.json()["detail"]["code"]) == (429, "code_sent_recently")
    assert 0 < int(soon.headers["Retry-After"]) <= 61
    with Session(world.engine) as session:  # as if the code had been sent a minute earlier
        channel = session.get(ContactChannel, channel_id)
        channel.code_expires_at -= timedelta(minutes=1)
        session.add(channel)
        session.commit()
    assert (await world.http.post(resend, headers=owner.auth)).status_code == 200
    assert len(world.texts("+8613800138000")) == 2
    newest = world.texts("+8613800138000")[0]  # newest first
    done = await world.http.post(
        f"/parties/me/channels/{channel_id}/verify", json={"code": code_in(newest)}, headers=owner.auth
    )
    assert done.status_code == 200


@pytest.mark.parametrize(
    ("kind", "address", "code"),
    [
        ("chat", "https://oapi.dingtalk.com/robot/send?access_token=t", "bad_channel_url"),
        ("chat", "slack://T1/B1/C1", "bad_channel_url"),
        ("chat", "wecombot://", "bad_channel_url"),
        ("email", "li at example.com", "bad_email"),
        ("sms", "+1 415 555 0100", "bad_mobile"),
    ],
)
async def test_a_bad_address_is_refused_at_registration_and_nothing_is_kept(
    world: World, kind: str, address: str, code: str
) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    refused = await world.http.post(
        "/parties/me/channels", json={"kind": kind, "address": address}, headers=owner.auth
    )
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, code)
    assert (await world.http.get("/parties/me/channels", headers=owner.auth)).json() == []
    assert received(world.data_dir) == []


async def test_a_verified_email_gets_the_message_in_the_partys_language_once_however_often_it_runs(
    world: World,
) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    await verified(world, owner, "email", "li@example.com")
    unverified = await world.http.post(
        "/parties/me/channels", json={"kind": "email", "address": "other@example.com"}, headers=owner.auth
    )
    assert unverified.status_code == 201
    prefs = {"language": "en", "muted": [], "quiet_hours": True}
    assert (await world.http.put("/parties/me/preferences", json=prefs, headers=owner.auth)).json() == prefs

    await notify(world.activities, money_moved(owner))
    await notify(world.activities, money_moved(owner))  # Temporal's retry after a crash

    [mail] = [m for m in world.mails("li@example.com") if "released" in m.title]
    assert mail.title == "ESC-2026-00001: ¥12,500.00 released"
    assert "https://escrow.example.cn/my/escrows/ESC-2026-00001" in mail.body
    assert len(world.mails("other@example.com")) == 1  # its verification code only: never verified
    with Session(world.engine) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert (delivery.status, delivery.attempts, delivery.sent_at is not None) == ("sent", 1, True)

    inbox = (await world.http.get("/parties/me/notifications", headers=owner.auth)).json()
    assert inbox["unread"] == 1
    [note] = inbox["notifications"]
    assert note["title"] == mail.title and note["link"] == "/my/escrows/ESC-2026-00001"
    read = await world.http.post(f"/parties/me/notifications/{note['id']}/read", headers=owner.auth)
    assert read.json()["read_at"] is not None
    assert (await world.http.get("/parties/me/notifications", headers=owner.auth)).json()["unread"] == 0


async def test_a_muted_kind_lands_in_the_inbox_but_is_not_sent(world: World) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    await verified(world, owner, "email", "li@example.com")
    await verified(world, owner, "sms", "+86 138 0013 8000")
    prefs = {"language": "zh-CN", "muted": ["money_moved"], "quiet_hours": True}
    await world.http.put("/parties/me/preferences", json=prefs, headers=owner.auth)

    await notify(world.activities, money_moved(owner))

    assert [m.title for m in world.mails("li@example.com")] == [world.mails("li@example.com")[0].title]
    assert len(world.texts("+8613800138000")) == 1  # the verification code, nothing since
    inbox = (await world.http.get("/parties/me/notifications", headers=owner.auth)).json()
    assert inbox["unread"] == 1 and inbox["notifications"][0]["title"] == "ESC-2026-00001：¥12,500.00 已放款"
    marked = await world.http.post("/parties/me/notifications/read-all", headers=owner.auth)
    assert marked.json() == {"marked": 1}


async def test_a_party_nobody_registered_is_told_nothing_and_the_activity_ends(world: World) -> None:
    """Found by CI: a fund's advance told to a consumer id no party holds failed the inbox row's
    foreign key on every retry, and held a notify slot until other parties' reminders were late."""
    nobody = Party(world.http, "buyer", "Never registered")
    nobody.id = "P-NOBODY-REGISTERED"
    await notify(world.activities, money_moved(nobody))  # returns: nothing to retry
    with Session(world.engine) as session:
        assert session.exec(select(Notification).where(Notification.party_id == nobody.id)).all() == []


async def test_a_text_reaches_the_sandbox_sms_gateway(world: World) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    channel = await verified(world, owner, "sms", "13800138000")
    assert channel["address"] == "+8613800138000"
    await notify(world.activities, money_moved(owner))
    newest = world.texts("+8613800138000")[0]
    assert newest.title == "ESC-2026-00001：¥12,500.00 已放款"


async def test_a_provider_failure_retries_and_a_permanent_one_alerts_the_council(world: World) -> None:
    owner = await Party(world.http, "owner", "Li Wei").register()
    sms_channel = await verified(world, owner, "sms", "13800138000")
    down = Settings(
        data_dir=world.settings.data_dir,
        sms_url_template=f"json://127.0.0.1:{free_port()}/sms?:to={{address}}",
    )
    broken = NotifyActivities(world.engine, providers(down))

    with pytest.raises(ApplicationError):  # the gateway is down: Temporal would retry
        await notify(broken, money_moved(owner))
    with Session(world.engine) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        # the bot URL became unusable (say the party's group was dissolved and the row mended by hand)
        channel = session.get(ContactChannel, sms_channel["id"])
        channel.kind, channel.address = "chat", "wecombot://"
        session.add(channel)
        session.commit()

    await notify(world.activities, money_moved(owner))  # no retry: recorded
    with Session(world.engine) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert delivery.status == "failed" and delivery.last_error
        [alert] = crud.list_alerts(session=session, subject_id="ESC-2026-00001")
        assert alert.kind == "notification_failed"


class WorkerKilled(Exception):
    """The worker process dying: nothing after it runs."""


@pytest.mark.parametrize(("kind", "address"), [("email", "li@example.com"), ("sms", "13800138000")])
async def test_a_crash_after_the_provider_took_the_message_never_sends_it_twice(
    world: World, monkeypatch: pytest.MonkeyPatch, kind: str, address: str
) -> None:
    """The provider accepts the message (aiosmtpd keeps the mail, the gateway the text) and the
    activity dies before recording it. Temporal's retry finds the delivery `sending`: whether it
    arrived is not known, so it is not sent again, and the council is told."""
    owner = await Party(world.http, "owner", "Li Wei").register()
    stored = (await verified(world, owner, kind, address))["address"]
    really_send = notify_activity.send

    def accepted_then_killed(url: str, title: str, body: str) -> None:
        really_send(url, title, body)
        raise WorkerKilled("after the provider's answer, before the `sent` mark")

    monkeypatch.setattr(notify_activity, "send", accepted_then_killed)
    with pytest.raises(WorkerKilled):
        await notify(world.activities, money_moved(owner))
    monkeypatch.undo()
    with Session(world.engine) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert (delivery.status, delivery.attempts) == ("sending", 1)  # recorded before the call

    await notify(world.activities, money_moved(owner))  # Temporal's retry of the dead attempt
    await notify(world.activities, money_moved(owner))  # and any later call for the same event

    arrived = world.mails(stored) if kind == "email" else world.texts(stored)
    assert len([m for m in arrived if "12,500.00" in m.title]) == 1
    with Session(world.engine) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert (delivery.status, delivery.attempts, delivery.sent_at) == ("unknown", 1, None)
        [alert] = crud.list_alerts(session=session, subject_id="ESC-2026-00001")
        assert (alert.kind, json.loads(alert.params_json)["party_id"]) == (
            "notification_unconfirmed",
            owner.id,
        )
    inbox = (await world.http.get("/parties/me/notifications", headers=owner.auth)).json()
    assert [n["title"] for n in inbox["notifications"]] == ["ESC-2026-00001：¥12,500.00 已放款"]
