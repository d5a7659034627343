"""Bodies of the outbound webhook endpoints (`/parties/me/webhooks`, docs/WEBHOOKS.md)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from db.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https://host/path to a public address; http://127.0.0.1 or localhost in dev only",
    )


class WebhookEndpointPublic(BaseModel):
    """An endpoint as its party sees it: never its secret after registration."""

    id: str
    url: str
    created_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> "WebhookEndpointPublic":
        return cls(
            id=endpoint.id, url=endpoint.url, created_at=endpoint.created_at, deleted_at=endpoint.deleted_at
        )


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str = Field(description="the HMAC key signing every event to this endpoint; shown once, now")


class WebhookDeliveryPublic(BaseModel):
    """One line of an endpoint's delivery log."""

    id: str
    endpoint_id: str
    event_id: str
    kind: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int = Field(description="attempts made, over every run (the first and each replay)")
    runs: int = Field(description="1, plus one per replay")
    http_status: int | None = Field(description="the endpoint's answer to the last attempt, if any")
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="when the next retry is due, while pending")
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> "WebhookDeliveryPublic":
        status: Literal["pending", "delivered", "failed"] = (
            "delivered"
            if delivery.status == "delivered"
            else "failed"
            if delivery.status == "failed"
            else "pending"
        )
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            kind=delivery.kind,
            status=status,
            attempts=delivery.attempts,
            runs=delivery.runs,
            http_status=delivery.http_status,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
        )
