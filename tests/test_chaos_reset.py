"""The chaos driver's way out of a workflow task the server fails on every attempt (seen after a
Temporal restart, chaos/driver.py `reset_stuck`): reset to the last completed task, the escrow
goes on as it was, on a new run, and takes the next steps and payouts."""

from chaos.driver import reset_stuck
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id


async def test_a_reset_escrow_goes_on_where_it_was_on_a_new_run(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=1_000_000)
    await flow.pass_stage(1)
    before = await flow.settled()
    first_run = (await flow.handle.describe()).run_id

    await reset_stuck(stack.temporal, escrow_workflow_id(flow.escrow_id))

    handle = stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(flow.escrow_id))
    assert (await handle.describe()).run_id != first_run
    after = await flow.settled()
    assert (after.phase, after.ledger, after.trail_head) == (before.phase, before.ledger, before.trail_head)
    await flow.pass_stage(2)  # it goes on
    await assert_bank_agrees(flow)
