"""Durable deadlines through the real stack: each escrow's own virtual clock is fast-forwarded."""

import json
from datetime import timedelta

from tests.kits.flow import EscrowFlow, assert_bank_agrees

STAGES = [{"name": "hidden works", "amount_fen": 300_000}, {"name": "finishing", "amount_fen": 200_000}]
RETENTION = 50_000
TOTAL = 550_000


async def inspected_flow(stack, **contract) -> EscrowFlow:
    """A funded escrow whose first stage passed inspection and waits for the owner."""
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(stages=STAGES, retention_fen=RETENTION, **contract)
    await flow.request_inspection(1)
    await flow.report(1, "pass")
    return flow


async def test_an_escrow_not_funded_in_time_is_cancelled_and_the_deposit_refunded(stack, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create(stages=STAGES, retention_fen=RETENTION)
    await flow.sign_contract()
    await flow.deposit(200_000)
    assert (await flow.state()).phase == "funding"

    await flow.fast_forward(timedelta(days=15))
    outcome = await flow.handle.result()
    assert (outcome.phase, outcome.deposited_fen, outcome.refunded_fen, outcome.released_fen) == (
        "cancelled",
        200_000,
        200_000,
        0,
    )
    state = await assert_bank_agrees(flow)
    assert state.ledger.held_fen == 0
    assert await flow.statement() == {
        "deposit-1": ("deposit", 200_000),
        "funding-expired:refund": ("refund", 200_000),
    }
    assert (await flow.wait_for_alert("funding_expired")).business_key == f"{flow.escrow_id}:funding:expired"
    await record_history(flow.handle, "escrow_funding_expired")


async def test_owner_silence_releases_the_stage_under_auto_accept(stack, record_history):
    flow = await inspected_flow(stack, silence_policy="auto_accept")
    await flow.fast_forward(timedelta(days=6))
    state = await flow.state()
    assert state.stages[0].status == "awaiting_acceptance" and state.ledger.released_fen == 0

    await flow.fast_forward(timedelta(days=2))
    await flow.wait_for(lambda s: s.stages[0].status == "accepted", "the automatic acceptance")
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == 300_000 and state.current_stage == 2
    assert state.disputes == []
    assert (await flow.statement())["stage-1:release"] == ("payout", 300_000)
    await record_history(flow.handle, "escrow_silence_auto_accept")


async def test_owner_silence_escalates_to_the_council_and_holds_the_money(stack, record_history):
    flow = await inspected_flow(stack)  # escalate is the default policy
    await flow.fast_forward(timedelta(days=8))
    state = await flow.wait_for(lambda s: s.disputes, "the escalation")
    (dispute,) = state.disputes
    assert (dispute.raised_by, dispute.stages, dispute.status) == ("system", [1], "open")
    assert state.stages[0].dispute == 1

    alert = await flow.wait_for_alert("dispute_opened")
    assert alert.business_key == f"{flow.escrow_id}:dispute-1:opened"
    assert (alert.code, json.loads(alert.params_json)["raised_by"]) == ("dispute_opened", "system")
    state = await assert_bank_agrees(flow)
    assert state.ledger.held_fen == TOTAL and state.ledger.released_fen == 0
    report_hash = state.stages[0].last_report.report_hash
    await flow.refused(flow.accept(1, report_hash), 409, "stage_frozen")
    await record_history(flow.handle, "escrow_silence_escalated")


async def test_claimed_retention_is_held_past_expiry_until_the_claim_is_withdrawn(stack, record_history):
    flow = await inspected_flow(stack)
    await flow.accept(1, (await flow.state()).stages[0].last_report.report_hash)
    await flow.pass_stage(2)
    assert (await flow.settled()).phase == "warranty"
    await flow.refused(flow.claim_warranty(RETENTION + 1), 422, "claim_exceeds_retention")
    assert await flow.claim_warranty(20_000) == 1

    await flow.fast_forward(timedelta(days=731))
    state = await flow.wait_for(lambda s: s.retention.expired, "the warranty to expire")
    state = await assert_bank_agrees(flow)
    assert state.phase == "warranty"
    assert state.ledger.held_fen == 20_000  # the claimed part
    assert (await flow.statement())["retention:release"] == ("payout", 30_000)

    await flow.withdraw_claim(1)
    outcome = await flow.handle.result()
    assert (outcome.phase, outcome.released_fen, outcome.refunded_fen) == ("closed", TOTAL, 0)
    await assert_bank_agrees(flow)
    assert (await flow.statement())["warranty-claim-1:release"] == ("payout", 20_000)
    await record_history(flow.handle, "escrow_warranty_claim")
