"""Typed inputs of the webhook delivery activities and workflow, importable by workflows."""

from dataclasses import dataclass


@dataclass
class WebhookDeliveryInput:
    """One run of one delivery. `first_retry_seconds` and `public_only` come from the starter's
    settings (`ESCROW_WEBHOOK_FIRST_RETRY_SECONDS`, and whether it runs outside dev), so the
    worker needs no settings of its own and a test can retry in a fraction of a second."""

    delivery_id: str
    run: int
    first_retry_seconds: float
    public_only: bool


@dataclass
class WebhookGiveUpInput:
    delivery_id: str
    reason: str
