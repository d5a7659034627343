"""Outbound webhook endpoints and their delivery log (docs/WEBHOOKS.md).

Writes commit before they return (the db.crud convention). A delivery is recorded once per
(endpoint, event) by a single INSERT ... ON CONFLICT DO NOTHING, so enqueuing an event again,
from a retried activity or concurrently, finds the delivery already there.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from db.crud import dialect_insert
from db.models import WebhookDelivery, WebhookEndpoint, utcnow
from outbound_webhooks.events import WebhookEvent
from outbound_webhooks.signing import new_secret

_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_ENDPOINTS = 10  # per party: each event is posted to every one of them
ERROR_CHARS = 500


def _new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


class TooManyEndpoints(ValueError):
    """The party already has `MAX_ENDPOINTS` live endpoints."""


def register_endpoint(*, session: Session, party_id: str, url: str) -> WebhookEndpoint:
    """A new endpoint with a new secret (the caller answers it once)."""
    if len(list_endpoints(session=session, party_id=party_id)) >= MAX_ENDPOINTS:
        raise TooManyEndpoints(party_id)
    endpoint = WebhookEndpoint(id=_new_id("WH-"), party_id=party_id, url=url, secret=new_secret())
    session.add(endpoint)
    session.commit()
    session.refresh(endpoint)
    return endpoint


def list_endpoints(*, session: Session, party_id: str) -> list[WebhookEndpoint]:
    """The party's live endpoints, oldest first."""
    statement = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.party_id == party_id, col(WebhookEndpoint.deleted_at).is_(None))
        .order_by(col(WebhookEndpoint.created_at), col(WebhookEndpoint.id))
    )
    return list(session.exec(statement))


def own_endpoint(*, session: Session, party_id: str, endpoint_id: str) -> WebhookEndpoint | None:
    """The endpoint if it is the party's (deleted ones too: their log stays readable)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.party_id == party_id else None


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to it; deliveries still retrying fail at their next attempt."""
    if endpoint.deleted_at is None:
        endpoint.deleted_at = utcnow()
        session.add(endpoint)
        session.commit()
        session.refresh(endpoint)
    return endpoint


def enqueue_webhooks(*, session: Session, party_id: str, event: WebhookEvent) -> list[str]:
    """Record the event's delivery to each live endpoint of the party; the ids of those still
    pending (new, or recorded by an earlier call whose workflows may not have started)."""
    endpoints = [endpoint.id for endpoint in list_endpoints(session=session, party_id=party_id)]
    if not endpoints:
        return []
    body = event.body().decode()
    rows = [
        {
            "id": _new_id("WHD-"),
            "endpoint_id": endpoint_id,
            "event_id": event.id,
            "kind": event.kind.value,
            "body": body,
            "status": "pending",
            "attempts": 0,
            "runs": 1,
            "created_at": utcnow(),
        }
        for endpoint_id in endpoints
    ]
    insert = dialect_insert(session, WebhookDelivery).values(rows)
    session.execute(insert.on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"]))
    session.commit()
    statement = select(WebhookDelivery.id).where(
        col(WebhookDelivery.endpoint_id).in_(endpoints),
        WebhookDelivery.event_id == event.id,
        WebhookDelivery.status == "pending",
    )
    return sorted(session.exec(statement))


@dataclass(frozen=True)
class Attempt:
    """What one attempt found: `http_status` None when no answer came."""

    http_status: int | None
    error: str | None
    next_attempt_at: datetime | None


def delivery_target(*, session: Session, delivery_id: str) -> tuple[WebhookDelivery, WebhookEndpoint]:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise LookupError(f"no webhook delivery {delivery_id}")
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        raise LookupError(f"no webhook endpoint {delivery.endpoint_id}")
    return delivery, endpoint


def record_attempt(*, session: Session, delivery_id: str, attempt: Attempt) -> None:
    """Count the attempt; a delivered one is done for good."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise LookupError(f"no webhook delivery {delivery_id}")
    delivery.attempts += 1
    delivery.http_status = attempt.http_status
    delivery.last_error = attempt.error[:ERROR_CHARS] if attempt.error else None
    delivery.next_attempt_at = attempt.next_attempt_at
    if attempt.error is None:
        delivery.status, delivery.delivered_at = "delivered", utcnow()
    session.add(delivery)
    session.commit()


def mark_failed(*, session: Session, delivery_id: str, reason: str) -> None:
    """Given up on (a permanent refusal, or the retries ran out); its owner may replay it."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return
    delivery.status, delivery.next_attempt_at = "failed", None
    delivery.last_error = (delivery.last_error or reason)[:ERROR_CHARS]
    session.add(delivery)
    session.commit()


def list_deliveries(*, session: Session, endpoint_id: str, offset: int, limit: int) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement))


def own_delivery(*, session: Session, party_id: str, delivery_id: str) -> WebhookDelivery | None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    return delivery if endpoint is not None and endpoint.party_id == party_id else None


class NotReplayable(ValueError):
    """Only a failed delivery is replayed; a pending one is still being tried, a delivered one arrived."""


def start_replay(*, session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """Pending again, as run `runs + 1` (its workflow's id); refused unless it had failed.

    A conditional UPDATE, so two replays at once start one run."""
    statement = (
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery.id, col(WebhookDelivery.status) == "failed")
        .values(status="pending", runs=col(WebhookDelivery.runs) + 1, next_attempt_at=None)
    )
    updated: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    session.commit()
    if updated.rowcount != 1:
        raise NotReplayable(delivery.status)
    session.refresh(delivery)
    return delivery
