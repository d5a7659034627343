"""Balances, statements and the double-entry invariant, on both databases."""

import asyncio

import pytest

from sandbox_bank.client import BankClient, BankRejected
from sandbox_bank.models import CONTRACTORS_OUT, OWNERS_IN, OWNERS_OUT
from tests.bank.conftest import new_key


async def test_opening_an_account_twice_returns_the_same_account(client: BankClient, account: str) -> None:
    await client.deposit(account, 500, "owner", "funding", new_key())

    again = await client.open_account(account)

    assert again.created is False
    assert again.balance_fen == 500


async def test_deposit_payout_refund_move_the_balance(client: BankClient, account: str) -> None:
    keys = [new_key() for _ in range(3)]
    deposit = await client.deposit(account, 100_000, "owner", "funding", keys[0])
    payout = await client.payout(account, 30_000, "contractor", "stage-1", keys[1])
    refund = await client.refund(account, 20_000, "owner", "cancel", keys[2])

    assert [m.kind for m in (deposit, payout, refund)] == ["deposit", "payout", "refund"]
    assert payout.amount_fen == 30_000 and payout.account_id == account
    balance = await client.balance(account)
    assert (balance.balance_fen, balance.deposited_fen) == (50_000, 100_000)
    assert (balance.paid_out_fen, balance.refunded_fen) == (30_000, 20_000)

    entries = await client.statement(account)
    assert [e.tx_id for e in entries] == [deposit.tx_id, payout.tx_id, refund.tx_id]
    assert [e.amount_fen for e in entries] == [100_000, 30_000, 20_000]
    assert [e.balance_after_fen for e in entries] == [100_000, 70_000, 50_000]
    assert [e.idempotency_key for e in entries] == keys
    assert entries[1].reference == "stage-1"


async def test_a_transaction_is_read_by_its_id_as_its_escrow_account_books_it(
    client: BankClient, account: str
) -> None:
    deposit = await client.deposit(account, 70_000, "owner", "funding", new_key())
    payout = await client.payout(account, 30_000, "contractor", "stage-1", new_key())

    assert await client.transaction(deposit.tx_id) == deposit
    read = await client.transaction(payout.tx_id)
    assert (read.account_id, read.kind, read.amount_fen) == (account, "payout", 30_000)

    with pytest.raises(BankRejected) as unknown:
        await client.transaction("tx_" + "0" * 32)
    assert (unknown.value.status, unknown.value.code) == (404, "transaction_not_found")
    # quoted as one path segment: an id cannot reach another route (here the balance)
    with pytest.raises(BankRejected) as walked:
        await client.transaction(f"x/../../accounts/{account}")
    assert walked.value.status in (404, 422)


async def test_every_movement_has_an_equal_and_opposite_external_line(
    client: BankClient, account: str
) -> None:
    externals = (OWNERS_IN, CONTRACTORS_OUT, OWNERS_OUT)
    before = [(await client.balance(a)).balance_fen for a in externals]
    check_before = await client.ledger_check()

    await client.deposit(account, 9_000, "owner", "funding", new_key())
    await client.payout(account, 4_000, "contractor", "stage-1", new_key())
    await client.refund(account, 1_000, "owner", "change order", new_key())

    after = [(await client.balance(a)).balance_fen for a in externals]
    assert [b - a for a, b in zip(before, after, strict=True)] == [-9_000, 4_000, 1_000]
    check = await client.ledger_check()
    assert check.balanced is True and check.sum_fen == 0
    assert check.transactions >= check_before.transactions + 3


@pytest.mark.parametrize("move", ["payout", "refund"])
async def test_insufficient_funds_moves_nothing(client: BankClient, account: str, move: str) -> None:
    await client.deposit(account, 100, "owner", "funding", new_key())
    key = new_key()

    with pytest.raises(BankRejected) as refused:
        await getattr(client, move)(account, 101, "someone", "too much", key)

    assert (refused.value.status, refused.value.code) == (409, "insufficient_funds")
    assert (await client.balance(account)).balance_fen == 100
    assert len(await client.statement(account)) == 1


async def test_a_refusal_is_not_remembered_against_its_key(client: BankClient, account: str) -> None:
    key = new_key()
    with pytest.raises(BankRejected):
        await client.payout(account, 300, "contractor", "stage-1", key)
    await client.deposit(account, 300, "owner", "funding", new_key())

    paid = await client.payout(account, 300, "contractor", "stage-1", key)

    assert paid.replayed is False
    assert (await client.balance(account)).balance_fen == 0


async def test_unknown_account_is_404(client: BankClient) -> None:
    with pytest.raises(BankRejected) as refused:
        await client.deposit("ESC-2026-NOPE", 100, "owner", "funding", new_key())
    assert (refused.value.status, refused.value.code) == (404, "account_not_found")
    with pytest.raises(BankRejected) as missing:
        await client.balance("ESC-2026-NOPE")
    assert missing.value.code == "account_not_found"


async def test_concurrent_payouts_never_overdraw(client: BankClient, account: str) -> None:
    await client.deposit(account, 100, "owner", "funding", new_key())

    results = await asyncio.gather(
        *(client.payout(account, 30, "contractor", f"p{i}", new_key()) for i in range(10)),
        return_exceptions=True,
    )

    paid = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BankRejected)]
    assert len(paid) == 3
    assert len(refused) == 7 and {r.code for r in refused} == {"insufficient_funds"}
    assert (await client.balance(account)).balance_fen == 10


async def test_external_accounts_cannot_be_opened_or_moved(client: BankClient) -> None:
    with pytest.raises(BankRejected) as opening:
        await client.open_account(OWNERS_IN)
    assert (opening.value.status, opening.value.code) == (422, "invalid_input")
    with pytest.raises(BankRejected) as paying:
        await client.payout(OWNERS_IN, 1, "me", "steal", new_key())
    assert paying.value.code == "invalid_input"
