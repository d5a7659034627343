"""A whole escrow through the API: contract to retention, with rework and a holdback, on the
session's SQLite stack and again on PostgreSQL (`stack_on_each_backend`)."""

from datetime import timedelta

from domain.escrow.state import Defect
from tests.conftest import stack_on_each_backend
from tests.kits.flow import EscrowFlow, assert_bank_agrees

stack = stack_on_each_backend()

TOTAL = 20_000_000  # 200,000.00 yuan in fen


async def test_full_escrow_with_rework_holdback_and_retention(stack, record_history):
    flow = await EscrowFlow(stack).register()
    created = await flow.create(total_fen=TOTAL)
    stages = created["terms"]["stages"]
    assert [s["amount_fen"] for s in stages] == [6_000_000, 6_000_000, 5_000_000, 2_000_000]
    assert created["terms"]["retention_fen"] == 1_000_000

    await flow.sign_contract()
    state = await flow.state()
    assert state.phase == "funding"

    await flow.deposit(TOTAL)
    state = await assert_bank_agrees(flow)
    assert state.phase == "active" and state.current_stage == 1

    await flow.pass_stage(1)
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == 6_000_000

    # stage 2 fails with itemised defects, is rectified and passes
    await flow.request_inspection(2)
    defects = [{"description": "tile hollow", "location": "kitchen wall", "cost_estimate_fen": 80_000}]
    await flow.report(2, "fail", defects)
    state = await flow.state()
    assert state.stages[1].status == "rectifying"
    assert state.stages[1].last_report.defects == [Defect(**defect) for defect in defects]
    await flow.pass_stage(2)
    state = await assert_bank_agrees(flow)
    assert state.stages[1].round == 2
    assert state.ledger.released_fen == 12_000_000

    # stage 3 accepted with a holdback released after the defect is signed off
    await flow.request_inspection(3)
    report_hash = await flow.report(3, "pass")
    holdback = {"item": "door-gap", "description": "bedroom door gap 4 mm", "amount_fen": 300_000}
    await flow.step(
        flow.owner,
        "/stages/3/partial-acceptance",
        "stage.accept_partial",
        {"stage": 3, "pay_fen": 4_700_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == 16_700_000
    assert state.stages[2].holdbacks[0].status == "held"
    await flow.step(
        flow.owner,
        "/stages/3/holdback-releases",
        "holdback.release",
        {"stage": 3, "items": ["door-gap"], "amount_fen": 300_000},
    )
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == 17_000_000

    await flow.pass_stage(4)
    state = await assert_bank_agrees(flow)
    assert state.phase == "warranty"
    assert state.ledger.held_fen == 1_000_000  # the retention

    # two years pass in seconds: unclaimed retention goes to the contractor
    await stack.skipper.fast_forward(flow.handle, timedelta(days=731))
    outcome = await flow.handle.result()
    assert outcome.phase == "closed"
    assert (outcome.deposited_fen, outcome.released_fen, outcome.refunded_fen) == (TOTAL, TOTAL, 0)
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == TOTAL
    assert state.ledger.held_fen == 0

    statement = await stack.bank.statement(flow.escrow_id)
    keys = [entry.idempotency_key for entry in statement if entry.kind == "payout"]
    assert len(keys) == len(set(keys)), "a business key was paid twice"
    assert f"{flow.escrow_id}:retention:release" in keys
    await record_history(flow.handle, "escrow_full_lifecycle")
