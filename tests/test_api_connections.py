"""The API holds no database connection while it waits for Temporal.

A route that kept its pooled connection across a Temporal call starved the pool under
load: `escrow bench` opening escrows 16 at a time got `QueuePool limit ... reached`
500s once Temporal slowed down. Here every Temporal call the escrow routes make
records how many connections are checked out at that moment; it must be none.
"""

import httpx
import pytest

import api.escrow_access as escrow_access
import api.routes.escrows as escrow_routes
from api.main import create_app
from client.escrow_session import EscrowSession
from tests.conftest import Stack
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.servers import serve


@pytest.fixture
async def watched(stack: Stack, monkeypatch: pytest.MonkeyPatch):
    app = create_app(stack.settings)
    pool = app.state.engine.pool
    seen: list[tuple[str, int]] = []

    def watching(name: str, call):
        async def wrapper(*args, **kwargs):
            seen.append((name, pool.checkedout()))
            return await call(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(escrow_routes, "_start", watching("start workflow", escrow_routes._start))
    monkeypatch.setattr(escrow_routes, "query", watching("query workflow", escrow_routes.query))
    # the escrow reads go through the one participant check, which queries the workflow
    monkeypatch.setattr(escrow_access, "query", watching("query workflow", escrow_access.query))
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http, seen


async def test_no_connection_is_held_across_temporal_calls(stack: Stack, watched) -> None:
    http, seen = watched
    flow = await EscrowSession(http, stack.bank).register(COUNCIL_SECRET)
    await flow.create(total_fen=20_000_000)
    await flow.sign_contract()
    state = await flow.state()
    assert state.phase == "funding"
    assert {name for name, _ in seen} == {"start workflow", "query workflow"}
    assert seen == [(name, 0) for name, _ in seen], seen
