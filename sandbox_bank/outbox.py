"""The webhook outbox: events written with the movement, delivered after it.

Writing the event in the same transaction as the ledger lines means a crash can
neither confirm a deposit that was rolled back nor lose the confirmation of one
that was committed. Delivery is at least once; receivers dedupe by event id.
"""

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from sandbox_bank.models import OutboxEvent, utcnow

FIRST_RETRY_SECONDS = 0.2
MAX_RETRY_SECONDS = 30.0


def enqueue(session: Session, event_type: str, fields: dict[str, Any]) -> OutboxEvent:
    event_id = f"evt_{uuid4().hex}"
    payload = {"event_id": event_id, "type": event_type, **fields}
    now = utcnow()
    event = OutboxEvent(
        event_id=event_id,
        event_type=event_type,
        payload=json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        next_attempt_at=now,
        created_at=now,
    )
    session.add(event)
    return event


def retry_delay(attempts: int) -> timedelta:
    seconds = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return timedelta(seconds=seconds)


def due_events(engine: Engine, now: datetime, limit: int) -> list[OutboxEvent]:
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(OutboxEvent)
            .where(col(OutboxEvent.next_attempt_at) <= now)
            .order_by(col(OutboxEvent.next_attempt_at))
            .limit(limit)
        )
        return list(session.exec(query).all())


def record_attempt(engine: Engine, event_id: str, error: str | None) -> None:
    """`error` None means the receiver acknowledged the event."""
    now = utcnow()
    with Session(engine) as session, session.begin():
        event = session.get(OutboxEvent, event_id)
        if event is None or event.delivered_at is not None:
            return
        event.attempts += 1
        if error is None:
            event.delivered_at = now
            event.next_attempt_at = None
            event.last_error = None
        else:
            event.next_attempt_at = now + retry_delay(event.attempts)
            event.last_error = error[:500]


def next_due_at(engine: Engine) -> datetime | None:
    with Session(engine) as session:
        return session.exec(select(func.min(OutboxEvent.next_attempt_at))).one()
