"""The server's time, told on every answer, and a refusal for time that says how far off the signer is.

Every signed envelope carries a timestamp, refused when it is further than
`signature_max_skew_seconds` from the server's clock (`stale_timestamp`). A phone whose clock is
20 minutes wrong would fail every signature, so the server tells its time on every answer in
`X-Server-Time` (milliseconds since the Unix epoch, UTC), pages included, and its pages render it
too (`server_time_ms`, base.html), so that a browser or a program stamps its envelopes with the
server's time rather than its own (web/static/signing.js, client/server_clock.py).

A step still refused for its time says by how much the envelope's timestamp is off the server's
clock, in its message and as `clock_offset_seconds` (the timestamp minus the server's time, in
whole seconds: negative when the signer's clock is behind). The API works this out itself, from the
envelope and its own clock, so the workflows' recorded refusals stay as they were.
"""

from datetime import UTC, datetime, timedelta

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError

SERVER_TIME_HEADER = "X-Server-Time"
STALE_TIMESTAMP = "stale_timestamp"


def server_time_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


class ServerTime:
    """Sets `X-Server-Time` on every answer, as its head is sent (the latest moment it can be
    known, so it is the server's time when the answer left)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[SERVER_TIME_HEADER] = str(server_time_ms())
            await send(message)

        await self.app(scope, receive, send_with_time)


def _amount(seconds: int) -> str:
    """Minutes once there are two of them (a wrong clock is wrong by minutes), else seconds."""
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def stale_timestamp(timestamp: datetime, *, what: str = "envelope") -> ApiError:
    """The refusal of an envelope (or a claim) whose `timestamp` is too far from the server's clock."""
    now = datetime.now(UTC)
    offset = round((timestamp - now).total_seconds())
    side = "behind" if offset < 0 else "ahead of"
    message = (
        f"the {what}'s timestamp is {_amount(abs(offset))} {side} the server's clock "
        f"({now.strftime('%Y-%m-%dT%H:%M:%SZ')}): set the signing device's clock to automatic time, "
        f"or stamp envelopes with the server's time ({SERVER_TIME_HEADER} on every answer), and sign again"
    )
    return ApiError(409, STALE_TIMESTAMP, message, details={"clock_offset_seconds": offset})


def require_fresh(timestamp: datetime, max_skew_seconds: int, *, what: str = "envelope") -> None:
    """Refuse a `timestamp` further than `max_skew_seconds` from the server's clock."""
    if abs(timestamp - datetime.now(UTC)) > timedelta(seconds=max_skew_seconds):
        raise stale_timestamp(timestamp, what=what)
