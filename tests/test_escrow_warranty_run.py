"""An escrow continues as new when it enters its warranty (docs/ESCROW.md, "The warranty run").

On the real dev server: the first run ends with ContinueAsNew once every stage is done and
settled, the warranty run starts with a short history and the same escrow, claims, expiry and
withdrawal run on it, the money is conserved and the trail verifies end to end across the two
runs. Then the same with two builds: the first run on build A, build B made current before
the warranty, and the warranty run on build B.
"""

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.common import SearchAttributeKey

from api.main import create_app
from cli.audit import export_and_verify
from client.escrow_session import eventually
from client.party import StepRefused
from domain.audit import verify_trail
from tests.conftest import Stack
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from tests.kits.servers import serve
from workflows.deployment import deployment_version, make_current
from workflows.escrow import EscrowWorkflow
from workflows.worker import build_worker

TOTAL = 1_000_000  # four stages and a retention of 50,000 fen
RETENTION = 50_000
CLAIM = 20_000
ESCROW_STATUS = SearchAttributeKey.for_keyword("EscrowStatus")
OLD, NEW = "0.1.0-a1a1a1a1a1a1", "0.1.0-b2b2b2b2b2b2"


async def warranty_run(flow: EscrowFlow, first_run: str) -> str:
    """The run id of the warranty run, once the first run has continued as new."""

    async def current() -> str:
        return (await flow.handle.describe()).run_id or ""

    return await eventually(current, lambda run: run != first_run, "the warranty run", flow.wait_seconds)


def run_of(flow: EscrowFlow, run_id: str) -> WorkflowHandle:
    return flow.stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, flow.handle.id, run_id=run_id)


async def builds_that_ran(handle: WorkflowHandle) -> list[str]:
    """The build id of every workflow task the run completed, in order."""
    return [
        event.workflow_task_completed_event_attributes.deployment_version.build_id
        for event in (await handle.fetch_history()).events
        if event.HasField("workflow_task_completed_event_attributes")
    ]


async def into_warranty(flow: EscrowFlow) -> tuple[WorkflowHandle, WorkflowHandle]:
    """Every stage passed: returns the first run and the warranty run it continued as."""
    first_run = (await flow.handle.describe()).run_id or ""
    for stage in (1, 2, 3, 4):
        await flow.pass_stage(stage)
    return run_of(flow, first_run), run_of(flow, await warranty_run(flow, first_run))


async def claim_expire_withdraw(flow: EscrowFlow) -> None:
    """A claim, the warranty's end (the unclaimed part paid), the claim withdrawn (paid): closed."""
    assert await flow.claim_warranty(CLAIM) == 1
    await flow.fast_forward(timedelta(days=731))
    await flow.wait_for(lambda s: s.retention.expired, "the warranty to expire")
    await assert_bank_agrees(flow)
    await flow.withdraw_claim(1)
    outcome = await flow.handle.result()
    assert (outcome.phase, outcome.released_fen, outcome.refunded_fen) == ("closed", TOTAL, 0)
    await assert_bank_agrees(flow)
    statement = await flow.statement()
    assert statement["retention:release"] == ("payout", RETENTION - CLAIM)
    assert statement["warranty-claim-1:release"] == ("payout", CLAIM)


async def test_an_escrow_continues_as_new_into_its_warranty_and_ends_there(stack, tmp_path, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL)
    first, warranty = await into_warranty(flow)

    first_history, warranty_history = await first.fetch_history(), await warranty.fetch_history()
    assert first_history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    print(
        f"\nhistory of the first run: {len(first_history.events)} events; of the warranty run as it starts:"
    )
    print(f"{len(warranty_history.events)} events")
    assert len(warranty_history.events) < 12 < len(first_history.events)
    # the same escrow, every stage, movement and figure of its life, read from either run
    assert await warranty.query(EscrowWorkflow.snapshot) == await first.query(EscrowWorkflow.snapshot)
    state = await flow.state()
    assert state.phase == "warranty" and len(state.movements) == 4
    assert [s.status for s in state.stages] == ["accepted"] * 4
    attributes = (await flow.handle.describe()).typed_search_attributes
    assert attributes.get(ESCROW_STATUS) == "warranty"  # the listings' search attributes came along

    await claim_expire_withdraw(flow)

    # the trail of the whole life: the first run's entries from the audit log, then the warranty run's
    response = await stack.http.get(f"/escrows/{flow.escrow_id}/audit", headers=flow.owner.auth)
    assert response.status_code == 200, response.text
    trail = response.json()
    actions = [entry["action"] for entry in trail["entries"]]
    assert actions[:2] == ["contract.sign", "contract.sign"]
    assert actions[-2:] == ["warranty.claim", "warranty.withdraw"]
    assert [entry["seq"] for entry in trail["entries"]] == list(range(1, len(actions) + 1))
    assert verify_trail(trail) == []
    out = tmp_path / "trail.json"
    assert await asyncio.to_thread(export_and_verify, stack.settings, flow.escrow_id, out) == 0
    await record_history(flow.handle, "escrow_warranty_continued_as_new")


async def test_a_claim_sent_while_the_escrow_switches_runs_is_answered_and_kept(stack):
    """The owner files a claim again and again from the moment of the last acceptance. Each try
    is answered by the run that holds the escrow then: refused before the warranty; accepted by
    the first run in its last moments (and carried) or by the warranty run; a try arriving while
    the first run hands over waits for the warranty run, never lost nor failed."""
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL)
    first_run = (await flow.handle.describe()).run_id or ""
    for stage in (1, 2, 3):
        await flow.pass_stage(stage)
    await flow.request_inspection(4)
    report_hash = await flow.report(4, "pass")

    async def claim_until_accepted() -> int:
        while True:
            try:
                return await flow.claim_warranty(CLAIM)
            except StepRefused as refusal:
                assert (refusal.status, refusal.code) == (409, "not_in_warranty"), refusal

    async with asyncio.timeout(flow.wait_seconds):
        claims, _ = await asyncio.gather(claim_until_accepted(), flow.accept(4, report_hash))
    assert claims == 1
    assert await warranty_run(flow, first_run) != first_run
    state = await flow.state()
    assert [(c.number, c.amount_fen, c.status) for c in state.claims] == [(1, CLAIM, "open")]


@contextlib.asynccontextmanager
async def own_deployment(stack: Stack) -> AsyncIterator[Stack]:
    """An API that starts escrows on a task queue and Worker Deployment of the test's own."""
    name = uuid.uuid4().hex[:10]
    settings = stack.settings.model_copy(
        update={"deployment_name": f"warranty-{name}", "temporal_task_queue": f"warranty-{name}"}
    )
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield dataclasses.replace(stack, settings=settings, http=http)


@contextlib.asynccontextmanager
async def build(stack: Stack, thread_pool: ThreadPoolExecutor, build_id: str) -> AsyncIterator[None]:
    """A worker of `build_id` on the deployment's queue, made the current version once it polls."""
    version = deployment_version(stack.settings.model_copy(update={"build_id": build_id}))
    worker = build_worker(
        stack.temporal,
        task_queue=stack.settings.temporal_task_queue,
        deployment=version,
        bank=stack.bank,
        engine=stack.engine,
        executor=thread_pool,
        workflow_failure_exception_types=[Exception],
    )
    async with worker:
        await make_current(stack.temporal, version)
        yield


async def test_an_escrow_begun_on_one_build_runs_its_warranty_on_the_build_current_then(stack, thread_pool):
    async with own_deployment(stack) as deployed, build(deployed, thread_pool, OLD):
        flow = await EscrowFlow(deployed).register()
        await flow.create_funded(total_fen=TOTAL)
        first_run = (await flow.handle.describe()).run_id or ""
        for stage in (1, 2, 3):
            await flow.pass_stage(stage)
        assert set(await builds_that_ran(run_of(flow, first_run))) == {OLD}

        async with build(deployed, thread_pool, NEW):  # promoted before the escrow's warranty
            await flow.pass_stage(4)
            warranty = run_of(flow, await warranty_run(flow, first_run))
            await claim_expire_withdraw(flow)

    ran_first, ran_warranty = await builds_that_ran(run_of(flow, first_run)), await builds_that_ran(warranty)
    assert ran_first[0] == OLD
    assert len(ran_warranty) > 1 and set(ran_warranty) == {NEW}, "the warranty run ran on the new build"
