"""Outbound webhooks end to end: a party registers a receiver over the API, an event is sent
through the real worker and Temporal dev server, and a real HTTP receiver on a free port gets it.

Each test runs on SQLite and on PostgreSQL. The receiver verifies with a verifier written from
docs/WEBHOOKS.md ("Signature", tests/kits/webhook_receiver.py), not with the project's signer.
Retries start after a fraction of a second (the settings' first retry; Temporal waits at least
about a second): the tests wait on the delivery workflow's result, never on a sleep. The retried
and the refused deliveries' histories are recorded (`--record-histories`) and replayed by
tests/test_replay.py.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.main import create_app
from client.party import Party
from config.settings import Settings
from notify.kinds import MessageKind
from outbound_webhooks.dispatch import send_event
from outbound_webhooks.events import WebhookEvent
from outbound_webhooks.retries import KEEP_TRYING, is_permanent, retry_policy, wait_after
from outbound_webhooks.urls import UrlRefused, check_endpoint_url
from tests.conftest import Stack, stack_on_each_backend
from tests.kits.businesses import verified_business
from tests.kits.webhook_receiver import Receiver, receiving, verify
from workflows.webhook_delivery import webhook_workflow_id

FAST_RETRY_SECONDS = 0.1

# the delivery rows are written by ON CONFLICT inserts and a conditional update: both backends
stack = stack_on_each_backend()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as state:
        yield state


async def party(stack: Stack, name: str) -> Party:
    return await verified_business(stack.http, "contractor", name)


async def register(stack: Stack, owner: Party, url: str) -> dict:
    response = await stack.http.post("/parties/me/webhooks", json={"url": url}, headers=owner.auth)
    assert response.status_code == 201, response.json()
    return response.json()


def money_moved(escrow_id: str = "ESC-2026-00042") -> WebhookEvent:
    return WebhookEvent(
        id=f"{escrow_id}:release-2:{uuid.uuid4().hex[:8]}",
        kind=MessageKind.MONEY_MOVED,
        subject_id=escrow_id,
        occurred_at=datetime(2026, 12, 6, 9, 14, 3, tzinfo=UTC),
        data={"amount_fen": 120_000, "stage": 2, "escrow_id": escrow_id},
    )


async def deliver(stack: Stack, owner: Party, event: WebhookEvent, run: int = 1) -> dict[str, bool]:
    """Send the event to the owner's endpoints and wait for each delivery's workflow to end."""
    settings = stack.settings.model_copy(update={"webhook_first_retry_seconds": FAST_RETRY_SECONDS})
    ids = await send_event(stack.engine, stack.temporal, settings, owner.id, event)
    return {i: await finished(stack, i, run) for i in ids}


async def finished(stack: Stack, delivery_id: str, run: int) -> bool:
    result: bool = await stack.temporal.get_workflow_handle(webhook_workflow_id(delivery_id, run)).result()
    return result


async def log_of(stack: Stack, owner: Party, endpoint_id: str) -> list[dict]:
    response = await stack.http.get(f"/parties/me/webhooks/{endpoint_id}/deliveries", headers=owner.auth)
    assert response.status_code == 200, response.json()
    return response.json()


async def test_a_registered_endpoint_receives_a_signed_event(stack: Stack, receiver: Receiver):
    owner = await party(stack, "ERP of Hangzhou Build Co.")
    endpoint = await register(stack, owner, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    listed = (await stack.http.get("/parties/me/webhooks", headers=owner.auth)).json()
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]

    event = money_moved()
    assert list((await deliver(stack, owner, event)).values()) == [True]

    [got] = receiver.received
    body, headers = got.body, got.headers
    assert verify(endpoint["secret"], body, headers["X-Escrow-Timestamp"], headers["X-Escrow-Signature"])
    assert json.loads(body) == {
        "id": event.id,
        "kind": "money_moved",
        "subject_id": "ESC-2026-00042",
        "occurred_at": "2026-12-06T09:14:03Z",
        "data": {"amount_fen": 120_000, "stage": 2, "escrow_id": "ESC-2026-00042"},
    }
    assert headers["X-Escrow-Event-Id"] == event.id
    tampered = body.replace(b"120000", b"920000")
    assert tampered != body
    assert not verify(
        endpoint["secret"], tampered, headers["X-Escrow-Timestamp"], headers["X-Escrow-Signature"]
    )
    assert not verify("whsec_another", body, headers["X-Escrow-Timestamp"], headers["X-Escrow-Signature"])
    stale = str(int(headers["X-Escrow-Timestamp"]) - 301)
    resigned = hmac.new(endpoint["secret"].encode(), stale.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert not verify(endpoint["secret"], body, stale, "sha256=" + resigned), "older than 5 minutes"

    [line] = await log_of(stack, owner, endpoint["id"])
    assert (line["event_id"], line["status"], line["attempts"], line["http_status"]) == (
        event.id,
        "delivered",
        1,
        200,
    )

    # the same event sent again is the same delivery: nothing is posted twice
    assert await deliver(stack, owner, event) == {}
    assert len(receiver.received) == 1 and len(await log_of(stack, owner, endpoint["id"])) == 1


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(
    stack: Stack, receiver: Receiver, backend: str, record_history
):
    receiver.statuses = [500, 500, 200]
    owner = await party(stack, "Flaky ERP")
    endpoint = await register(stack, owner, receiver.url)
    event = money_moved()
    [(delivery_id, delivered)] = (await deliver(stack, owner, event)).items()
    assert delivered is True
    handle = stack.temporal.get_workflow_handle(webhook_workflow_id(delivery_id, 1))
    if backend == "sqlite":
        await record_history(handle, "webhook_delivery_retried")

    assert len(receiver.received) == 3
    assert {r.body for r in receiver.received} == {receiver.received[0].body}, "the same bytes every time"
    assert all(
        verify(endpoint["secret"], r.body, r.headers["X-Escrow-Timestamp"], r.headers["X-Escrow-Signature"])
        for r in receiver.received
    )
    [line] = await log_of(stack, owner, endpoint["id"])
    assert (line["status"], line["attempts"], line["http_status"], line["last_error"]) == (
        "delivered",
        3,
        200,
        None,
    )

    # the schedule is the activity's own retry policy, as Temporal recorded it
    history = await handle.fetch_history()
    [scheduled] = [
        e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    policy = scheduled.retry_policy
    assert scheduled.activity_type.name == "deliver_webhook"
    assert scheduled.schedule_to_close_timeout.ToTimedelta() >= timedelta(days=3)
    assert policy.initial_interval.ToTimedelta() == timedelta(seconds=FAST_RETRY_SECONDS)
    assert (policy.backoff_coefficient, policy.maximum_interval.ToTimedelta()) == (2.0, timedelta(hours=6))
    assert list(policy.non_retryable_error_types) == ["WebhookRefused"]


async def test_a_refusal_is_not_retried_and_its_owner_alone_replays_it(
    stack: Stack, receiver: Receiver, backend: str, record_history
):
    receiver.statuses = [410]
    owner, stranger = await party(stack, "Gone ERP"), await party(stack, "Curious ERP")
    endpoint = await register(stack, owner, receiver.url)
    [(delivery_id, delivered)] = (await deliver(stack, owner, money_moved())).items()
    assert delivered is False and len(receiver.received) == 1
    if backend == "sqlite":
        handle = stack.temporal.get_workflow_handle(webhook_workflow_id(delivery_id, 1))
        await record_history(handle, "webhook_delivery_refused")
    [line] = await log_of(stack, owner, endpoint["id"])
    assert (line["status"], line["attempts"], line["http_status"]) == ("failed", 1, 410)
    assert line["last_error"] == "the endpoint answered 410" and line["next_attempt_at"] is None

    replay = f"/parties/me/webhooks/deliveries/{delivery_id}/replay"
    refused = await stack.http.post(replay, headers=stranger.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (404, "delivery_not_found")
    peek = await stack.http.get(f"/parties/me/webhooks/{endpoint['id']}/deliveries", headers=stranger.auth)
    assert (peek.status_code, peek.json()["detail"]["code"]) == (404, "webhook_not_found")

    receiver.statuses = [410, 200]  # the receiver was fixed
    replayed = await stack.http.post(replay, headers=owner.auth)
    assert replayed.status_code == 202, replayed.json()
    assert (replayed.json()["status"], replayed.json()["runs"]) == ("pending", 2)
    assert await finished(stack, delivery_id, run=2) is True
    [line] = await log_of(stack, owner, endpoint["id"])
    assert (line["status"], line["attempts"], line["runs"], line["http_status"]) == ("delivered", 2, 2, 200)
    assert receiver.received[0].body == receiver.received[1].body

    again = await stack.http.post(replay, headers=owner.auth)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "delivery_not_failed")


async def test_a_deleted_endpoint_gets_nothing_and_keeps_its_log(stack: Stack, receiver: Receiver):
    owner = await party(stack, "Moving ERP")
    endpoint = await register(stack, owner, receiver.url)
    await deliver(stack, owner, money_moved())
    deleted = await stack.http.delete(f"/parties/me/webhooks/{endpoint['id']}", headers=owner.auth)
    assert deleted.status_code == 200 and deleted.json()["deleted_at"] is not None
    assert (await stack.http.get("/parties/me/webhooks", headers=owner.auth)).json() == []
    assert await deliver(stack, owner, money_moved()) == {}
    assert len(receiver.received) == 1
    assert [line["status"] for line in await log_of(stack, owner, endpoint["id"])] == ["delivered"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://files.example.com/events", "bad_webhook_url"),
        ("https:///no-host", "bad_webhook_url"),
        ("https://erp.example.com/events#part", "bad_webhook_url"),
        ("https://erp.example.com/\x00events", "nul_character"),  # PostgreSQL text holds none: the edge
        ("https://erp.example.com/ events", "bad_webhook_url"),
        ("https://[::1/events", "bad_webhook_url"),
        ("https://erp:hunter2@erp.example.com/events", "webhook_url_has_credentials"),
        ("https://erp@erp.example.com/events", "webhook_url_has_credentials"),
        ("http://erp.example.com/events", "webhook_url_not_https"),
        ("http://10.0.0.7/events", "webhook_url_not_https"),  # http to this machine only, even in dev
    ],
)
async def test_registration_refuses_bad_urls(stack: Stack, url: str, code: str):
    owner = await party(stack, "Careless ERP")
    response = await stack.http.post("/parties/me/webhooks", json={"url": url}, headers=owner.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (422, code)
    assert (await stack.http.get("/parties/me/webhooks", headers=owner.auth)).json() == []


async def test_in_production_the_api_refuses_http_and_private_addresses(stack: Stack):
    """The same API on the same database, as a production process reads its settings."""
    owner = await party(stack, "Production ERP")
    production = create_app(stack.settings.model_copy(update={"environment": "production"}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production), base_url="http://api"
    ) as http:
        for url, code in [
            ("http://127.0.0.1:9000/events", "webhook_url_not_https"),
            ("https://169.254.169.254/latest/meta-data", "webhook_url_not_public"),
        ]:
            response = await http.post("/parties/me/webhooks", json={"url": url}, headers=owner.auth)
            assert (response.status_code, response.json()["detail"]["code"]) == (422, code)
        accepted = await http.post(
            "/parties/me/webhooks", json={"url": "https://erp.example.com/events"}, headers=owner.auth
        )
        assert accepted.status_code == 201, accepted.json()
        listed = await http.get("/parties/me/webhooks", headers=owner.auth)
    production.state.engine.dispose()
    assert [e["url"] for e in listed.json()] == ["https://erp.example.com/events"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:9000/events", "webhook_url_not_https"),
        ("http://erp.example.com/events", "webhook_url_not_https"),
        ("https://localhost/events", "webhook_url_not_public"),
        ("https://metrics.internal/events", "webhook_url_not_public"),
        ("https://127.0.0.1/events", "webhook_url_not_public"),
        ("https://10.1.2.3/events", "webhook_url_not_public"),
        ("https://192.168.1.20:8443/events", "webhook_url_not_public"),
        ("https://169.254.169.254/latest/meta-data", "webhook_url_not_public"),
        ("https://100.64.0.1/events", "webhook_url_not_public"),
        ("https://[::1]/events", "webhook_url_not_public"),
        ("https://[fd00::1]/events", "webhook_url_not_public"),
        ("https://[::ffff:10.0.0.1]/events", "webhook_url_not_public"),
        ("https://erp:pw@erp.example.com/", "webhook_url_has_credentials"),
        ("https://erp.example.com:99999/", "bad_webhook_url"),
    ],
)
def test_outside_dev_only_https_to_public_addresses(url: str, code: str):
    with pytest.raises(UrlRefused) as refused:
        check_endpoint_url(url, dev=False)
    assert refused.value.code == code


@pytest.mark.parametrize("url", ["https://erp.example.com/escrow-events", "https://93.184.215.14:8443/hook"])
def test_outside_dev_a_public_https_url_is_accepted(url: str):
    assert check_endpoint_url(url, dev=False) == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:8555/hook", "http://localhost/hook", "http://[::1]:80/"])
def test_in_dev_plain_http_to_this_machine_is_accepted(url: str):
    assert check_endpoint_url(url, dev=True) == url
    with pytest.raises(UrlRefused):
        check_endpoint_url(url, dev=False)


def test_the_default_schedule_retries_from_30_seconds_for_three_days():
    first = timedelta(seconds=Settings.model_fields["webhook_first_retry_seconds"].default)
    assert retry_policy(first).initial_interval == timedelta(seconds=30)
    assert timedelta(days=3) <= KEEP_TRYING
    assert [wait_after(n, first) for n in (1, 2, 3, 11, 30)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(hours=6),
        timedelta(hours=6),
    ]
    assert [code for code in (400, 401, 404, 408, 410, 422, 429, 500, 502, 301) if is_permanent(code)] == [
        400,
        401,
        404,
        410,
        422,
    ]
