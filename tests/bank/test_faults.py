"""Injected failures: deterministic (rate 0 or 1, or a seed) so the outcome is known."""

from collections.abc import AsyncIterator

import httpx
import pytest

from sandbox_bank.client import BankClient, BankRejected, BankUnavailable, Faults
from tests.bank.conftest import RunningBank, new_key


@pytest.fixture(autouse=True)
async def faults_off_afterwards(client: BankClient) -> AsyncIterator[None]:
    yield
    await client.set_faults()


@pytest.mark.parametrize("token", [None, "wrong"])
async def test_fault_switches_need_the_admin_token(bank: RunningBank, token: str | None) -> None:
    async with BankClient(bank.url, 10, admin_token=token) as outsider:
        with pytest.raises(BankRejected) as refused:
            await outsider.set_faults(error_rate=1.0)
        with pytest.raises(BankRejected):
            await outsider.faults()

    assert (refused.value.status, refused.value.code) == (403, "forbidden")


async def test_error_rate_one_refuses_before_moving_money(
    client: BankClient, http: httpx.AsyncClient, account: str
) -> None:
    await client.deposit(account, 1_000, "owner", "funding", new_key())
    await client.set_faults(error_rate=1.0)

    raw = await http.post(
        f"/accounts/{account}/payouts",
        json={"amount_fen": 10, "beneficiary": "contractor", "reference": "stage-1"},
        headers={"Idempotency-Key": new_key()},
    )
    with pytest.raises(BankUnavailable) as unavailable:
        await client.deposit(account, 5, "owner", "top-up", new_key())

    assert raw.status_code == 503 and raw.json()["detail"]["code"] == "injected_fault"
    assert unavailable.value.status == 503
    # Reads, health and admin are never faulted, so the truth stays observable.
    assert await client.health()
    assert (await client.balance(account)).balance_fen == 1_000
    assert len(await client.statement(account)) == 1
    assert (await client.faults()).error_rate == 1.0


async def test_dropped_response_after_commit_pays_exactly_once(client: BankClient, account: str) -> None:
    await client.deposit(account, 1_000, "owner", "funding", new_key())
    key = new_key()
    await client.set_faults(drop_after_commit_rate=1.0)

    with pytest.raises(BankUnavailable) as unknown:
        await client.payout(account, 600, "contractor", "stage-1", key)

    assert "RemoteProtocolError" in unknown.value.message
    moved = await client.statement(account)
    assert [e.kind for e in moved] == ["deposit", "payout"]

    await client.set_faults()
    retried = await client.payout(account, 600, "contractor", "stage-1", key)

    assert retried.tx_id == moved[1].tx_id
    assert retried.replayed is True
    balance = await client.balance(account)
    assert (balance.paid_out_fen, balance.balance_fen) == (600, 400)


async def test_latency_beyond_the_client_timeout_is_unavailable(
    bank: RunningBank, client: BankClient, account: str
) -> None:
    await client.set_faults(latency_ms=1_500)

    async with BankClient(bank.url, timeout_seconds=0.5) as impatient:
        with pytest.raises(BankUnavailable) as timed_out:
            await impatient.deposit("ESC-2026-NOPE", 1, "owner", "late", new_key())
        # Reads are not slowed down, so they answer well within the same timeout.
        assert (await impatient.balance(account)).balance_fen == 0

    assert "Timeout" in timed_out.value.message


async def test_a_seed_makes_the_fault_sequence_reproducible(client: BankClient, account: str) -> None:
    async def outcomes() -> list[bool]:
        await client.set_faults(error_rate=0.5, seed=20260101)
        seen = []
        for i in range(16):
            try:
                await client.deposit(account, 1, "owner", f"seeded {i}", new_key())
                seen.append(True)
            except BankUnavailable:
                seen.append(False)
        return seen

    first, second = await outcomes(), await outcomes()

    assert first == second
    assert True in first and False in first
    assert (await client.balance(account)).balance_fen == 2 * sum(first)
    assert await client.faults() == Faults(error_rate=0.5, seed=20260101)
