"""deposit.confirmed webhooks: signed, retried until acknowledged, durable across restarts."""

import json

from config.settings import Settings
from sandbox_bank.app import create_app
from sandbox_bank.client import BankClient
from sandbox_bank.migrate import upgrade
from sandbox_bank.webhooks import sign_payload, verify_signature
from tests.bank.conftest import WEBHOOK_SECRET, bank_settings, new_key
from tests.kits.servers import Delivery, WebhookReceiver, serve

Receiver = tuple[WebhookReceiver, str]


def about(tx_id: str):
    return lambda d: json.loads(d.body)["tx_id"] == tx_id


def test_signature_round_trip_and_tampering() -> None:
    body = b'{"amount_fen":100}'
    header = sign_payload(b"secret", body)

    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(b"secret", body, header)
    assert not verify_signature(b"secret", b'{"amount_fen":101}', header)
    assert not verify_signature(b"other", body, header)
    assert not verify_signature(b"secret", body, header.removeprefix("sha256="))
    assert not verify_signature(b"secret", body, None)


async def test_deposit_is_confirmed_by_a_signed_webhook(
    receiver: Receiver, client: BankClient, account: str
) -> None:
    hook, _ = receiver
    deposit = await client.deposit(account, 12_345, "owner", "funding", new_key())

    deliveries = await hook.wait_for(lambda ds: any(map(about(deposit.tx_id), ds)))

    [delivery] = filter(about(deposit.tx_id), deliveries)
    assert verify_signature(WEBHOOK_SECRET, delivery.body, delivery.headers["x-bank-signature"])
    payload = json.loads(delivery.body)
    assert payload == {
        "event_id": delivery.headers["x-bank-event-id"],
        "type": "deposit.confirmed",
        "account_id": account,
        "tx_id": deposit.tx_id,
        "amount_fen": 12_345,
        "reference": "funding",
        "created_at": payload["created_at"],
    }
    assert delivery.body == json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


async def test_failed_delivery_is_retried_with_the_same_event(
    receiver: Receiver, client: BankClient, account: str
) -> None:
    hook, _ = receiver
    hook.failing[account] = 1
    deposit = await client.deposit(account, 500, "owner", "funding", new_key())

    deliveries = await hook.wait_for(lambda ds: _acknowledged(ds, deposit.tx_id))

    attempts = list(filter(about(deposit.tx_id), deliveries))
    assert [a.status for a in attempts] == [500, 204]
    assert attempts[0].body == attempts[1].body
    assert attempts[0].headers["x-bank-event-id"] == attempts[1].headers["x-bank-event-id"]
    for attempt in attempts:
        assert verify_signature(WEBHOOK_SECRET, attempt.body, attempt.headers["x-bank-signature"])


async def test_pending_webhook_survives_a_bank_restart(receiver: Receiver, sqlite_url) -> None:
    hook, hook_url = receiver
    settings: Settings = bank_settings(sqlite_url(), hook_url)
    upgrade(settings.bank_db_url())
    account = "ESC-2026-RESTART"
    hook.failing[account] = 10**9

    async with serve(create_app(settings)) as url, BankClient(url, 10) as first_life:
        await first_life.open_account(account)
        deposit = await first_life.deposit(account, 800, "owner", "funding", new_key())
        await hook.wait_for(lambda ds: any(map(about(deposit.tx_id), ds)))

    del hook.failing[account]
    async with serve(create_app(settings)):
        deliveries = await hook.wait_for(lambda ds: _acknowledged(ds, deposit.tx_id))

    attempts = list(filter(about(deposit.tx_id), deliveries))
    assert attempts[0].status == 500 and attempts[-1].status == 204
    assert len({a.headers["x-bank-event-id"] for a in attempts}) == 1


def _acknowledged(deliveries: list[Delivery], tx_id: str) -> bool:
    return any(d.status == 204 for d in filter(about(tx_id), deliveries))
