"""Idempotency keys: one movement per key, whatever the retries and races."""

import asyncio

import httpx
import pytest

from sandbox_bank.client import BankClient, BankRejected
from tests.bank.conftest import new_key


async def test_replay_returns_the_first_response_byte_for_byte(
    http: httpx.AsyncClient, client: BankClient, account: str
) -> None:
    body = {"amount_fen": 2_500, "payer": "owner", "reference": "funding"}
    headers = {"Idempotency-Key": new_key()}

    first = await http.post(f"/accounts/{account}/deposits", json=body, headers=headers)
    # Same request, keys in another order: still the same request.
    second = await http.post(
        f"/accounts/{account}/deposits", json=dict(reversed(body.items())), headers=headers
    )

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(await client.statement(account)) == 1
    assert (await client.balance(account)).balance_fen == 2_500


async def test_client_sees_the_same_transaction_on_retry(client: BankClient, account: str) -> None:
    await client.deposit(account, 1_000, "owner", "funding", new_key())
    key = new_key()

    first = await client.payout(account, 400, "contractor", "stage-1", key)
    again = await client.payout(account, 400, "contractor", "stage-1", key)

    assert (again.tx_id, again.created_at) == (first.tx_id, first.created_at)
    assert (first.replayed, again.replayed) == (False, True)
    assert (await client.balance(account)).paid_out_fen == 400


@pytest.mark.parametrize(
    "second_call",
    [
        lambda c, acct, other, key: c.deposit(acct, 1_001, "owner", "funding", key),
        lambda c, acct, other, key: c.deposit(acct, 1_000, "owner", "other ref", key),
        lambda c, acct, other, key: c.deposit(other, 1_000, "owner", "funding", key),
        lambda c, acct, other, key: c.refund(acct, 1_000, "owner", "funding", key),
    ],
    ids=["amount", "reference", "account", "kind"],
)
async def test_reusing_a_key_for_a_different_request_is_refused(
    client: BankClient, account: str, second_call
) -> None:
    other = f"{account}-B"
    await client.open_account(other)
    key = new_key()
    first = await client.deposit(account, 1_000, "owner", "funding", key)

    with pytest.raises(BankRejected) as reused:
        await second_call(client, account, other, key)

    assert (reused.value.status, reused.value.code) == (409, "idempotency_key_reused")
    assert [e.tx_id for e in await client.statement(account)] == [first.tx_id]
    assert await client.statement(other) == []


async def test_concurrent_duplicates_make_one_movement(client: BankClient, account: str) -> None:
    key = new_key()

    results = await asyncio.gather(
        *(client.deposit(account, 7_777, "owner", "funding", key) for _ in range(20))
    )

    assert len({r.tx_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert len(await client.statement(account)) == 1
    assert (await client.balance(account)).balance_fen == 7_777
    assert (await client.ledger_check()).balanced


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": ""}], ids=["missing", "empty"])
async def test_money_movement_without_a_key_is_400(
    http: httpx.AsyncClient, client: BankClient, account: str, headers: dict[str, str]
) -> None:
    response = await http.post(
        f"/accounts/{account}/deposits",
        json={"amount_fen": 100, "payer": "owner", "reference": "funding"},
        headers=headers,
    )

    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "idempotency_key_required"
    assert (await client.balance(account)).balance_fen == 0
