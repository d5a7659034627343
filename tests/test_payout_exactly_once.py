"""A stage is paid exactly once: when the bank committed the payout but its answer was lost,
and when the owner's acceptance arrives several times at once.

On the session's SQLite stack and again with the application database and the bank's
ledger on PostgreSQL (`stack_on_each_backend`).
"""

import asyncio
import time
from collections import Counter
from dataclasses import asdict

from tests.conftest import stack_on_each_backend
from tests.kits.flow import EscrowFlow, assert_bank_agrees, assert_conserved

stack = stack_on_each_backend()


async def wait_for_statement(stack, escrow_id: str, kind: str, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = [e for e in await stack.bank.statement(escrow_id) if e.kind == kind]
        if entries:
            return entries
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bank never recorded a {kind}")


async def stage_one_passed(stack) -> tuple[EscrowFlow, str]:
    """A funded escrow whose stage 1 (300,000 fen) passed inspection: the owner may accept it."""
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    await flow.sign_contract()
    await flow.deposit(1_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")
    return flow, report_hash


async def test_dropped_payout_response_is_paid_once(stack, record_history):
    flow, report_hash = await stage_one_passed(stack)

    await stack.bank.set_faults(drop_after_commit_rate=1.0)
    try:
        await flow.accept(1, report_hash)
        committed = await wait_for_statement(stack, flow.escrow_id, "payout")
        state = await flow.state()
        assert state.ledger.pending_fen == 300_000, "the workflow must not know the outcome yet"
        assert state.ledger.released_fen == 0
    finally:
        await stack.bank.set_faults()

    state = await flow.settled()
    payouts = [e for e in await stack.bank.statement(flow.escrow_id) if e.kind == "payout"]
    assert len(payouts) == 1
    assert payouts[0].tx_id == committed[0].tx_id
    assert payouts[0].idempotency_key == f"{flow.escrow_id}:stage-1:release"
    assert state.ledger.released_fen == 300_000
    assert state.movements[0].tx_id == committed[0].tx_id
    balance = await stack.bank.balance(flow.escrow_id)
    assert_conserved(state, balance.balance_fen)
    assert balance.balance_fen == state.ledger.held_fen
    await record_history(flow.handle, "escrow_payout_retried_after_dropped_response")


async def test_an_acceptance_sent_many_times_at_once_pays_the_stage_once(stack):
    """The same envelope three times and two fresh envelopes of the same acceptance, all at once."""
    flow, report_hash = await stage_one_passed(stack)
    payload = {"stage": 1, "amount_fen": 300_000, "report_hash": report_hash}
    now = await flow.now()
    same = asdict(flow.owner.sign("stage.accept", flow.escrow_id, payload, now))
    fresh = [asdict(flow.owner.sign("stage.accept", flow.escrow_id, payload, now)) for _ in range(2)]
    path = f"/escrows/{flow.escrow_id}/stages/1/acceptance"

    answers = await asyncio.gather(*(stack.http.post(path, json=body) for body in [same, same, same, *fresh]))

    outcomes = Counter((a.status_code, a.json()["detail"]["code"] if a.is_error else None) for a in answers)
    assert outcomes[(200, None)] == 1, outcomes
    assert set(outcomes) - {(200, None)} <= {(409, "nonce_reused"), (409, "not_current_stage")}, outcomes
    state = await assert_bank_agrees(flow)
    payouts = [e for e in await stack.bank.statement(flow.escrow_id) if e.kind == "payout"]
    assert [p.amount_fen for p in payouts] == [300_000]
    assert state.ledger.released_fen == 300_000
    assert [s.status for s in state.stages][:2] == ["accepted", "pending"] or state.current_stage == 2
