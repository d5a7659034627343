"""The API gives its database connection back before it waits on Temporal.

Found by `escrow chaos`: with 200 escrows read while the Temporal dev server
restarted, every request held its pooled connection across the Temporal call, the
pool (15 connections) ran dry and other requests failed with a pool timeout (500).
A client interceptor (Temporal's own extension point; the calls still go to the real
server) records how many connections are checked out at the moment of each call.
"""

from typing import Any

import httpx
from temporalio.client import Client, Interceptor, OutboundInterceptor, QueryWorkflowInput, StartWorkflowInput

from api.main import create_app
from client.escrow_session import EscrowSession
from tests.conftest import Stack
from tests.flow import COUNCIL_SECRET
from tests.servers import serve


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
        await session.create(total_fen=1_000_000)
        await session.state()
    assert spy.seen == {"start_workflow": [0], "query_workflow": [0]}
