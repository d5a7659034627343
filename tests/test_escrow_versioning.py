"""An accepted step is projected before its bank movements, and that order is part of history.

The change came before 0.1.0, so it is the only behaviour; changing it back without
`workflow.patched` (`BankFirstEscrowWorkflow`) would break every escrow recorded since.
"""

from temporalio.worker import Replayer

from client.escrow_session import eventually
from tests.kits.escrow_versions import BankFirstEscrowWorkflow
from tests.kits.flow import EscrowFlow, assert_bank_agrees


async def read_model_row(flow: EscrowFlow) -> dict:
    rows = (await flow.stack.http.get("/escrows", headers=flow.owner.auth)).json()
    return next(row for row in rows if row["escrow_id"] == flow.escrow_id)


async def eventually_row(flow: EscrowFlow, predicate) -> dict:
    return await eventually(lambda: read_model_row(flow), predicate, "the read model", flow.wait_seconds)


async def test_an_acceptance_shows_in_the_read_model_while_the_bank_is_down(stack, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=1_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")
    await stack.bank.set_faults(error_rate=1.0)
    try:
        await flow.accept(1, report_hash)
        state = await flow.state()
        assert state.ledger.pending_fen == 300_000
        row = await eventually_row(flow, lambda r: r["current_stage"] == 2)
        assert (row["released_fen"], row["held_fen"]) == (0, 1_000_000)
        assert (await flow.state()).ledger.pending_fen == 300_000, "the bank answered after all"
    finally:
        await stack.bank.set_faults()
    await assert_bank_agrees(flow)
    await eventually_row(flow, lambda r: r["released_fen"] == 300_000)
    await flow.sign_cancellation(flow.owner)
    await flow.sign_cancellation(flow.contractor)
    assert (await flow.handle.result()).refunded_fen == 700_000
    await record_history(flow.handle, "escrow_accepted_while_the_bank_is_down")

    replay = await Replayer(workflows=[BankFirstEscrowWorkflow]).replay_workflow(
        await flow.handle.fetch_history(), raise_on_replay_failure=False
    )
    assert replay.replay_failure is not None, "a changed order replays only behind workflow.patched"
