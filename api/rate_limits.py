"""Rate limits per client address on the doors a stranger can knock on without a token.

Registration (`POST /parties`), sign-in (`POST /session`) and a new device's key recovery
request (`POST /key-recoveries`) are limited by route at the edge
(RateLimitedRoutes), whatever handler answers them; refused enrolment secrets (a council or
bank member's `X-Enrolment-Secret`) and wrong device-pairing codes (`/pairings/...`) are
counted by the route itself, since only it knows a guess was wrong: once a client has used
up its guesses, even the right secret or code waits, so guessing cannot go on. Limits are
settings (`ESCROW_RATE_LIMIT_*`, `limits` notation such as `30/minute;300/hour`), kept in each
API process's memory by the `limits` library (moving window): with N API processes a client
gets up to N times the limit.

The client is the address uvicorn saw, or the one a trusted proxy forwarded
(ESCROW_FORWARDED_ALLOW_IPS). Over a limit: 429 `rate_limited` with `Retry-After` in seconds.
"""

import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ApiError, api_reply
from config.json_policy import ErrorReply
from config.settings import Settings

REGISTRATION = "registration"
ENROLMENT_FAILURES = "enrolment_failures"
SIGN_IN = "sign_in"
RECOVERY = "recovery"
PAIRING_FAILURES = "pairing_failures"
ROUTES = {
    ("POST", "/parties"): REGISTRATION,
    ("POST", "/session"): SIGN_IN,
    ("POST", "/key-recoveries"): RECOVERY,
}
MESSAGE = "too many attempts from this address; try again in {seconds} s"


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits: dict[str, list[RateLimitItem]] = {
            REGISTRATION: parse_many(settings.rate_limit_registration),
            ENROLMENT_FAILURES: parse_many(settings.rate_limit_enrolment_failures),
            SIGN_IN: parse_many(settings.rate_limit_sign_in),
            RECOVERY: parse_many(settings.rate_limit_recovery),
            PAIRING_FAILURES: parse_many(settings.rate_limit_pairing_failures),
        }

    def wait_seconds(self, name: str, client: str) -> int:
        """How long `client` must wait before its next `name` attempt; 0 when it may go now."""
        waits = [
            self._limiter.get_window_stats(item, name, client).reset_time - time.time()
            for item in self._limits[name]
            if not self._limiter.test(item, name, client)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def count(self, name: str, client: str) -> None:
        for item in self._limits[name]:
            self._limiter.hit(item, name, client)

    def attempt(self, name: str, client: str) -> int:
        """Count one attempt unless the client must wait; the wait in seconds, 0 when counted."""
        wait = self.wait_seconds(name, client)
        if not wait:
            self.count(name, client)
        return wait


def retry_after(wait: int) -> dict[str, str]:
    return {"Retry-After": str(wait)}


def too_many(scope: Scope, wait: int) -> ErrorReply:
    return api_reply(
        scope,
        429,
        "rate_limited",
        MESSAGE.format(seconds=wait),
        params={"seconds": wait},
        headers=retry_after(wait),
    )


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


@dataclass(frozen=True)
class Guesses:
    """One client's guesses at one kind of secret (`name`: ENROLMENT_FAILURES, PAIRING_FAILURES)."""

    limits: RateLimits
    client: str
    name: str

    def refuse_if_waiting(self) -> None:
        """Before the secret is compared: a client out of guesses is told to wait."""
        wait = self.limits.wait_seconds(self.name, self.client)
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                MESSAGE.format(seconds=wait),
                headers=retry_after(wait),
                params={"seconds": wait},
            )

    def count_wrong(self) -> None:
        self.limits.count(self.name, self.client)


def enrolment_guesses(request: Request) -> Guesses:
    return Guesses(request.app.state.rate_limits, client_of(request.scope), ENROLMENT_FAILURES)


def pairing_guesses(request: Request) -> Guesses:
    return Guesses(request.app.state.rate_limits, client_of(request.scope), PAIRING_FAILURES)


EnrolmentGuesses = Annotated[Guesses, Depends(enrolment_guesses)]
PairingGuesses = Annotated[Guesses, Depends(pairing_guesses)]


class RateLimitedRoutes:
    """Pure ASGI: counts each request to a limited route before any handler reads it."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = (
            ROUTES.get((scope.get("method", ""), scope.get("path", ""))) if scope["type"] == "http" else None
        )
        wait = self.limits.attempt(name, client_of(scope)) if name else 0
        if not wait:
            await self.app(scope, receive, send)
            return
        await too_many(scope, wait)(scope, receive, send)
