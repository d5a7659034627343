"""Typed inputs of the notifier workflow and its activities, importable by workflows."""

from dataclasses import dataclass
from typing import Any

from notify.plan import NotifierState


@dataclass
class NotifierInput:
    """One subject's notifier: a fresh one (`state` None), or a run continued as new with its state."""

    subject_id: str
    subject_kind: str  # escrow | case | fund
    state: NotifierState | None = None


@dataclass
class WebhookNotice:
    """One message's event for the party's webhook endpoints (outbound_webhooks/dispatch.py)."""

    party_id: str
    kind: str
    event_key: str
    subject_id: str
    params: dict[str, Any]
    occurred_at: str  # the workflow's clock, ISO 8601
