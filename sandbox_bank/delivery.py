"""Delivers outbox events to the application's webhook endpoint.

The loop wakes as soon as a movement enqueues an event; the poll is only a
fallback for retries coming due and for events left over from before a restart.
"""

import asyncio
import logging
from contextlib import suppress
from datetime import datetime

import httpx
from sqlalchemy import Engine

from sandbox_bank import outbox
from sandbox_bank.models import OutboxEvent, utcnow
from sandbox_bank.webhooks import sign_payload

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH_SIZE = 50


class WebhookDispatcher:
    def __init__(
        self, engine: Engine, url: str, secret: bytes, http: httpx.AsyncClient, wakeup: asyncio.Event
    ) -> None:
        self.engine = engine
        self.url = url
        self.secret = secret
        self.http = http
        self.wakeup = wakeup

    async def run_forever(self) -> None:
        while True:
            # Cleared before looking, so an event enqueued meanwhile triggers another pass.
            self.wakeup.clear()
            try:
                wait = await self.deliver_due()
            except Exception:
                log.exception("webhook delivery pass failed")
                wait = POLL_SECONDS
            with suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=wait)

    async def deliver_due(self) -> float:
        """Seconds until the next retry is due, at most the poll interval."""
        events = await asyncio.to_thread(outbox.due_events, self.engine, utcnow(), BATCH_SIZE)
        await asyncio.gather(*(self._deliver(event) for event in events))
        if len(events) == BATCH_SIZE:
            return 0.0
        next_due: datetime | None = await asyncio.to_thread(outbox.next_due_at, self.engine)
        if next_due is None:
            return POLL_SECONDS
        return min(max((next_due - utcnow()).total_seconds(), 0.0), POLL_SECONDS)

    async def _deliver(self, event: OutboxEvent) -> None:
        body = event.payload.encode()
        headers = {
            "Content-Type": "application/json",
            "X-Bank-Event-Id": event.event_id,
            "X-Bank-Event-Type": event.event_type,
            "X-Bank-Signature": sign_payload(self.secret, body),
        }
        error: str | None = None
        try:
            response = await self.http.post(self.url, content=body, headers=headers)
            if not response.is_success:
                error = f"receiver answered {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error:
            log.info("webhook %s not delivered (attempt %d): %s", event.event_id, event.attempts + 1, error)
        await asyncio.to_thread(outbox.record_attempt, self.engine, event.event_id, error)
