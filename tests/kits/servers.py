"""Real HTTP servers inside the test's event loop: the bank and a webhook receiver."""

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from api.main import create_app
from cli.dev import free_port
from config.http_server import server_config
from config.settings import Settings
from db.migrate import upgrade

START_TIMEOUT = 10.0


class _Server(uvicorn.Server):
    """Signals readiness with an event and leaves pytest's signal handlers alone."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        yield


@contextlib.asynccontextmanager
async def serve(
    app: ASGIApp, *, log_level: str = "warning", settings: Settings | None = None
) -> AsyncIterator[str]:
    """Yields the base URL once the server accepts connections; `settings` name the trusted proxy."""
    # An explicit IPPROTO_TCP: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it every response waits ~40 ms on Nagle's algorithm.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(server_config(app, settings, log_level=log_level, timeout_graceful_shutdown=2))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    await asyncio.wait({task, ready}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if not server.ready.is_set():
        ready.cancel()
        server.should_exit = True
        await task
        raise RuntimeError("server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]
    status: int


@dataclass
class WebhookReceiver:
    """Records every delivery; `failing[account_id]` deliveries for that account get a 500."""

    deliveries: list[Delivery] = field(default_factory=list)
    failing: dict[str, int] = field(default_factory=dict)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/webhooks/bank", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        account_id = json.loads(body)["account_id"]
        status = 204
        if self.failing.get(account_id, 0) > 0:
            self.failing[account_id] -= 1
            status = 500
        async with self._changed:
            self.deliveries.append(Delivery(body, dict(request.headers), status))
            self._changed.notify_all()
        return Response(status_code=status)

    async def wait_for(
        self, predicate: Callable[[list[Delivery]], bool], timeout: float = 10.0
    ) -> list[Delivery]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.deliveries)), timeout)
            return list(self.deliveries)


@contextlib.asynccontextmanager
async def api_alone(data_dir: Path, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The API app on a real uvicorn of ours, with its own fresh database and no Temporal
    server behind it: enough for what touches only the database (parties, sign-in, pages)."""
    settings = Settings(data_dir=data_dir, database_url="", temporal_address="127.0.0.1:1", **overrides)
    upgrade(settings.app_database_url())
    async with serve(create_app(settings), settings=settings) as url, httpx.AsyncClient(base_url=url) as http:
        yield http


def free_port_with(*offsets: int) -> int:
    """A free loopback port p with p + each offset free too: for a process that takes ports
    counting from one it is given (Temporal's UI at +1000, a worker pool's metrics at +1, +2...)."""
    for _ in range(50):
        port = free_port()
        if port + max(offsets) >= 65536:
            continue
        with contextlib.ExitStack() as held:
            try:
                for offset in offsets:
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port with {offsets} free after it")
