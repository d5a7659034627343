"""The server's time, told on every answer: `X-Server-Time`, milliseconds since the Unix epoch (UTC).

Every signed envelope carries a timestamp, refused when it is further than
`signature_max_skew_seconds` from the server's clock (`stale_timestamp`, api/stale_timestamp.py).
A phone whose clock is 20 minutes wrong would fail every signature, so the server tells its time
on every answer, pages and errors included (the unexpected failure's answer too, which
api/errors.py writes outside every middleware), and its pages render it (`server_time_ms`,
base.html), so that a browser or a program stamps its envelopes with the server's time rather
than its own (web/static/signing.js, client/server_clock.py). See "The server's time" in
docs/ESCROW.md.
"""

from datetime import UTC, datetime

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SERVER_TIME_HEADER = "X-Server-Time"


def server_time_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def server_time_header() -> dict[str, str]:
    return {SERVER_TIME_HEADER: str(server_time_ms())}


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
                MutableHeaders(scope=message).update(server_time_header())
            await send(message)

        await self.app(scope, receive, send_with_time)
