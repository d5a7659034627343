"""Posting one event to one endpoint, and recording how it went in the delivery log.

One attempt per activity attempt: Temporal's retry policy (outbound_webhooks/retries.py) is the
schedule, so a worker restart loses nothing. A delivery already delivered is not posted again
(a retried activity whose first try succeeded but whose completion was lost).
"""

from datetime import timedelta

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.webhook_types import WebhookDeliveryInput, WebhookGiveUpInput
from db import webhooks
from db.models import utcnow
from outbound_webhooks.retries import ATTEMPT_TIMEOUT, NOT_DELIVERED, REFUSED, is_permanent, wait_after
from outbound_webhooks.signing import signed_headers
from outbound_webhooks.urls import host_resolves_publicly


class WebhookActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def deliver_webhook(self, input: WebhookDeliveryInput) -> None:
        with Session(self._engine) as session:
            delivery, endpoint = webhooks.delivery_target(session=session, delivery_id=input.delivery_id)
        if delivery.status == "delivered":
            return
        if endpoint.deleted_at is not None:
            raise ApplicationError("the endpoint was deleted", type=REFUSED, non_retryable=True)
        http_status: int | None = None
        error: str | None
        if input.public_only and not host_resolves_publicly(endpoint.url):
            error, permanent = "the endpoint's host resolves to a private address", True
        else:
            body = delivery.body.encode()
            headers = signed_headers(endpoint.secret, delivery.event_id, body, utcnow())
            try:
                with httpx.Client(timeout=ATTEMPT_TIMEOUT.total_seconds(), follow_redirects=False) as http:
                    response = http.post(endpoint.url, content=body, headers=headers)
                http_status = response.status_code
                error = None if response.is_success else f"the endpoint answered {http_status}"
                permanent = is_permanent(http_status)
            except httpx.HTTPError as exc:
                error, permanent = f"{type(exc).__name__}: {exc}", False
        first_retry = timedelta(seconds=input.first_retry_seconds)
        next_at = (
            None
            if error is None or permanent
            else utcnow() + wait_after(activity.info().attempt, first_retry)
        )
        with Session(self._engine) as session:
            webhooks.record_attempt(
                session=session,
                delivery_id=input.delivery_id,
                attempt=webhooks.Attempt(http_status=http_status, error=error, next_attempt_at=next_at),
            )
        if error is not None:
            raise ApplicationError(
                error, type=REFUSED if permanent else NOT_DELIVERED, non_retryable=permanent
            )

    @activity.defn
    def give_up_webhook(self, input: WebhookGiveUpInput) -> None:
        with Session(self._engine) as session:
            webhooks.mark_failed(session=session, delivery_id=input.delivery_id, reason=input.reason)
