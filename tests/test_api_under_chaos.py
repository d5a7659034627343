"""Two API faults `escrow chaos` found, each pinned against the real stack.

1. With 200 escrows read while the Temporal dev server restarted, every request held
   its pooled database connection across the Temporal call; the pool (15) ran dry and
   other requests failed with a pool timeout (500).
2. An update no worker answered in time (a worker killed, the server restarting) came
   back as a 500; it is a 504 `outcome_unknown`, and re-sending the same envelope is safe.

Client interceptors (Temporal's own extension point) observe or shorten the calls;
the calls themselves still go to the real server.
"""

import dataclasses
import uuid
from dataclasses import asdict, replace
from datetime import timedelta
from typing import Any

import httpx
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    QueryWorkflowInput,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from api.gateway import ESCROW, unreachable
from api.main import create_app
from client.escrow_session import EscrowSession
from tests.conftest import Stack
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.servers import serve
from tests.kits.versioned_worker import worker
from workflows.escrow import EscrowWorkflow


class PoolAtTemporalCalls(Interceptor):
    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.seen: dict[str, list[int]] = {"start_workflow": [], "query_workflow": []}

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Recorder(next, self)


class _Recorder(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, spy: PoolAtTemporalCalls) -> None:
        super().__init__(next)
        self.spy = spy

    async def start_workflow(self, input: StartWorkflowInput) -> Any:
        self.spy.seen["start_workflow"].append(self.spy.pool.checkedout())
        return await super().start_workflow(input)

    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        self.spy.seen["query_workflow"].append(self.spy.pool.checkedout())
        return await super().query_workflow(input)


async def test_no_connection_is_held_while_the_api_waits_on_temporal(stack: Stack) -> None:
    app = create_app(stack.settings)
    spy = PoolAtTemporalCalls(app.state.engine.pool)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        app.state.temporal = Client(**{**stack.temporal.config(), "interceptors": [spy]})
        session = await EscrowSession(http, stack.bank).register(COUNCIL_SECRET)
        await session.create(total_fen=1_000_000, idempotency_key="pool-check-key")  # records first
        await session.create(total_fen=1_000_000)
        await session.state()
    assert spy.seen == {"start_workflow": [0, 0], "query_workflow": [0]}


class FirstUpdateDeadline(Interceptor):
    """Gives the first update call a deadline of a second."""

    def __init__(self) -> None:
        self.shortened = False

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Shortener(next, self)


class _Shortener(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, owner: FirstUpdateDeadline) -> None:
        super().__init__(next)
        self.owner = owner

    async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> Any:
        if not self.owner.shortened:
            self.owner.shortened = True
            input = replace(input, rpc_timeout=timedelta(seconds=1))
        return await super().start_workflow_update(input)


async def test_an_update_not_answered_in_time_is_a_504_and_the_same_envelope_may_be_resent(
    stack: Stack, thread_pool
) -> None:
    """The escrow runs on a task queue no worker polls until after the first attempt, so that
    attempt cannot be answered within its deadline however loaded the machine is (a 1 ms
    deadline on the shared queue was once answered in time under a full test run)."""
    settings = stack.settings.model_copy(update={"temporal_task_queue": f"unanswered-{uuid.uuid4().hex[:8]}"})
    app = create_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        app.state.temporal = Client(**{**stack.temporal.config(), "interceptors": [FirstUpdateDeadline()]})
        session = await EscrowSession(http, stack.bank).register(COUNCIL_SECRET)
        await session.create(total_fen=1_000_000)
        signed = session.owner.sign("contract.sign", session.escrow_id, {"terms_hash": session.terms_hash})
        path = f"/escrows/{session.escrow_id}/contract/signatures"
        first = await http.post(path, json=asdict(signed))
        assert (first.status_code, first.json()["detail"]["code"]) == (504, "outcome_unknown")
        async with worker(dataclasses.replace(stack, settings=settings), thread_pool, EscrowWorkflow):
            again = await http.post(path, json=asdict(signed))
            landed_before = again.status_code == 409 and again.json()["detail"]["code"] == "nonce_reused"
            assert again.status_code == 200 or landed_before, again.text
            state = await session.state()
    assert state.signed_by == ["owner"]
    assert state.trail_length == 1


async def test_a_refusal_is_called_closed_only_when_the_escrow_really_is_closed(stack: Stack) -> None:
    """Found by `escrow chaos`: a running escrow whose first workflow task had timed out (workers
    starved) was reported `409 escrow_closed`. Starving a worker on demand is not reliable, so
    the server's FAILED_PRECONDITION answer is built here; the workflow it is about, and the
    describe call that settles whether it is closed, are real."""
    session = await EscrowSession(stack.http, stack.bank).register(COUNCIL_SECRET)
    await session.create(total_fen=1_000_000)
    refusal = RPCError("workflow task in failed state", RPCStatusCode.FAILED_PRECONDITION, b"")
    running = await unreachable(stack.temporal, refusal, ESCROW, session.escrow_id)
    assert (running.status, running.code) == (503, "escrow_not_ready")
    await ESCROW.handle(stack.temporal, session.escrow_id).terminate("the test closes it")
    closed = await unreachable(stack.temporal, refusal, ESCROW, session.escrow_id)
    assert (closed.status, closed.code) == (409, "escrow_closed")


async def test_not_found_is_said_of_a_workflow_that_does_not_exist_only(stack: Stack) -> None:
    """Found by the case withdrawal browser test: a step re-sent to a case that had just closed got
    NOT_FOUND without the word "completed", and the page said there is no such case. The server's
    answer is built here; the describe call that settles it is real."""
    session = await EscrowSession(stack.http, stack.bank).register(COUNCIL_SECRET)
    await session.create(total_fen=1_000_000)
    missing = RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")
    running = await unreachable(stack.temporal, missing, ESCROW, session.escrow_id)
    assert (running.status, running.code) == (503, "escrow_not_ready")
    await ESCROW.handle(stack.temporal, session.escrow_id).terminate("the test closes it")
    closed = await unreachable(stack.temporal, missing, ESCROW, session.escrow_id)
    assert (closed.status, closed.code) == (409, "escrow_closed")
    nowhere = await unreachable(stack.temporal, missing, ESCROW, "ESC-2026-99999")
    assert (nowhere.status, nowhere.code) == (404, "escrow_not_found")
