"""Failure injection for money movements, like a payment provider's test switches.

Only POSTs that move money are affected; health, admin and reads always answer,
so a test can observe what really happened behind an injected failure.

A dropped response is the interesting case: the movement is committed, then the
connection is cut after the status line and headers, before the body. The client
cannot tell whether the money moved, which is exactly when it must retry with
the same idempotency key. uvicorn closes the connection when an application
raises after starting its response, so that is how the cut is made.
"""

import asyncio
import logging
import random
import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.json_policy import error_reply
from sandbox_bank.schemas import Faults

log = logging.getLogger(__name__)

MONEY_MOVEMENT = re.compile(r"^/accounts/[^/]+/(deposits|payouts|refunds)$")


class ResponseDropped(Exception):
    """Raised on purpose to make the server cut the connection mid-response."""


@dataclass(frozen=True)
class Decision:
    latency_s: float
    fail: bool
    drop: bool


class FaultInjector:
    def __init__(self) -> None:
        self.configure(Faults())

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def decide(self) -> Decision:
        # Both draws happen on every request so a seed gives the same sequence of
        # outcomes whatever the rates are.
        fail_draw, drop_draw = self._rng.random(), self._rng.random()
        return Decision(
            latency_s=self.faults.latency_ms / 1000,
            fail=fail_draw < self.faults.error_rate,
            drop=drop_draw < self.faults.drop_after_commit_rate,
        )


class FaultMiddleware:
    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_money_movement(scope):
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide()
        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        if decision.fail:
            response = error_reply(503, "injected_fault", "Injected failure; nothing was done.")
            await response(scope, receive, send)
            return
        if not decision.drop:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, hold)
        start = messages[0]
        if not 200 <= start["status"] < 300:
            for message in messages:
                await send(message)
            return
        await send(start)
        log.warning("dropping the response to %s after commit (injected)", scope["path"])
        raise ResponseDropped(scope["path"])


class _HideInjectedDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ResponseDropped))


def quiet_server_log() -> None:
    """Keep uvicorn from logging a traceback for every drop we cause on purpose."""
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideInjectedDrops) for f in server_log.filters):
        server_log.addFilter(_HideInjectedDrops())


def _is_money_movement(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and MONEY_MOVEMENT.match(scope["path"]) is not None
    )
