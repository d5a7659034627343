"""The server's time as a program learns it from the API's answers, so a machine whose clock is
wrong still signs envelopes the API takes (api/server_clock.py tells the time in `X-Server-Time`).

Each answer's time is matched with the middle of its request, between sending it and the answer
arriving, as the browser does (web/static/signing.js): wrong by at most half the round trip. The
latest answer wins, so a machine clock set right while a program runs is followed. Until an
answer has told the time, the machine's own clock is used as it is.
"""

import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

SERVER_TIME_HEADER = "X-Server-Time"


def machine_now() -> datetime:
    return datetime.now(UTC)


class ServerClock:
    """`now()` is the server's time by this machine's clock (`device_now`) and the offset learned."""

    def __init__(self, device_now: Callable[[], datetime] = machine_now) -> None:
        self.device_now = device_now
        self.offset = timedelta(0)
        self._sent: weakref.WeakKeyDictionary[httpx.Request, datetime] = weakref.WeakKeyDictionary()

    def now(self) -> datetime:
        return self.device_now() + self.offset

    def learn(self, told: str | None, sent: datetime, received: datetime) -> None:
        """Learn from an answer's `X-Server-Time` (milliseconds since the epoch); ignore one without."""
        try:
            server = datetime.fromtimestamp(int(told or "") / 1000, UTC)
        except (ValueError, OverflowError, OSError):
            return
        self.offset = server - (sent + (received - sent) / 2)

    def watch(self, http: httpx.AsyncClient) -> None:
        """Learn from every answer `http` gets from now on."""
        http.event_hooks["request"].append(self._sending)
        http.event_hooks["response"].append(self._answered)

    async def _sending(self, request: httpx.Request) -> None:
        self._sent[request] = self.device_now()

    async def _answered(self, response: httpx.Response) -> None:
        sent = self._sent.pop(response.request, None)
        if sent is not None:
            self.learn(response.headers.get(SERVER_TIME_HEADER), sent, self.device_now())


_WATCHING: weakref.WeakKeyDictionary[httpx.AsyncClient, ServerClock] = weakref.WeakKeyDictionary()


def server_clock(http: httpx.AsyncClient) -> ServerClock:
    """The one clock learning from `http`'s answers, for every party that talks through it."""
    clock = _WATCHING.get(http)
    if clock is None:
        clock = _WATCHING[http] = ServerClock()
        clock.watch(http)
    return clock
