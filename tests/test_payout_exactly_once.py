"""A payout the bank committed but whose answer was lost is retried and paid exactly once."""

import asyncio
import time

from tests.flow import EscrowFlow, assert_conserved


async def wait_for_statement(stack, escrow_id: str, kind: str, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = [e for e in await stack.bank.statement(escrow_id) if e.kind == kind]
        if entries:
            return entries
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bank never recorded a {kind}")


async def test_dropped_payout_response_is_paid_once(stack, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    await flow.sign_contract()
    await flow.deposit(1_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")

    await stack.bank.set_faults(drop_after_commit_rate=1.0)
    try:
        await flow.accept(1, report_hash)
        committed = await wait_for_statement(stack, flow.escrow_id, "payout")
        state = await flow.state()
        assert state["ledger"]["pending_fen"] == 300_000, "the workflow must not know the outcome yet"
        assert state["ledger"]["released_fen"] == 0
    finally:
        await stack.bank.set_faults()

    state = await flow.settled()
    payouts = [e for e in await stack.bank.statement(flow.escrow_id) if e.kind == "payout"]
    assert len(payouts) == 1
    assert payouts[0].tx_id == committed[0].tx_id
    assert payouts[0].idempotency_key == f"{flow.escrow_id}:stage-1:release"
    assert state["ledger"]["released_fen"] == 300_000
    assert state["movements"][0]["tx_id"] == committed[0].tx_id
    balance = await stack.bank.balance(flow.escrow_id)
    assert_conserved(state, balance.balance_fen)
    assert balance.balance_fen == state["ledger"]["held_fen"]
    await record_history(flow.handle, "escrow_payout_retried_after_dropped_response")
