"""The escrow's `project-before-bank` change: what it does, and escrows started before it.

`OldEscrowWorkflow` is the workflow as it was before the change, registered under
the same name: its only difference is the one decision the change made. An
escrow runs part-way on a worker with it, that worker stops, and a worker with
today's code replays the history and finishes the escrow.
"""

import contextlib
import dataclasses
import uuid

import httpx
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from api.main import create_app
from client.escrow_session import eventually
from tests.conftest import Stack
from tests.kits.escrow_versions import OldEscrowWorkflow, UnguardedEscrowWorkflow
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from tests.kits.servers import serve
from tests.kits.versioned_worker import worker
from workflows.escrow import EscrowWorkflow

PATCH = "project-before-bank"


@contextlib.asynccontextmanager
async def own_queue(stack: Stack):
    """An API that starts escrows on a task queue of their own, so the test picks their worker."""
    settings = stack.settings.model_copy(
        update={"temporal_task_queue": f"escrow-version-{uuid.uuid4().hex[:8]}"}
    )
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield dataclasses.replace(stack, settings=settings, http=http)


def patched_in(history: WorkflowHistory) -> bool:
    """Whether the run recorded the patch marker, i.e. took the new order."""
    return any(
        PATCH.encode() in payload.data
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
        for payloads in event.marker_recorded_event_attributes.details.values()
        for payload in payloads.payloads
    )


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
    assert patched_in(await flow.handle.fetch_history())
    await record_history(flow.handle, "escrow_projected_before_bank")


async def test_an_escrow_started_on_the_old_code_finishes_on_the_new(stack, thread_pool, record_history):
    async with own_queue(stack) as versioned:
        flow = await EscrowFlow(versioned).register()
        async with worker(versioned, thread_pool, OldEscrowWorkflow):
            await flow.create_funded(total_fen=1_000_000)
            await flow.pass_stage(1)
            await assert_bank_agrees(flow)
        old_history = await flow.handle.fetch_history()

        async with worker(versioned, thread_pool, EscrowWorkflow):
            await flow.pass_stage(2)
            await assert_bank_agrees(flow)
            await flow.sign_cancellation(flow.owner)
            await flow.sign_cancellation(flow.contractor)
            outcome = await flow.handle.result()

    assert (outcome.phase, outcome.released_fen, outcome.refunded_fen) == ("cancelled", 600_000, 400_000)
    assert not patched_in(await flow.handle.fetch_history()), "a running escrow keeps the old order"
    await record_history(flow.handle, "escrow_started_before_project_before_bank")

    replay = await Replayer(workflows=[UnguardedEscrowWorkflow]).replay_workflow(
        old_history, raise_on_replay_failure=False
    )
    assert replay.replay_failure is not None, "without workflow.patched the old history would not replay"
