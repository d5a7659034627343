"""The event an endpoint receives: what happened, to which escrow or case, and its parameters.

The body is serialised once, when the delivery is recorded, and those exact bytes are signed
and sent on every attempt: a receiver that verifies the raw body sees the same bytes each time.
"""

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from notify.kinds import MessageKind


class WebhookEvent(BaseModel):
    """One event; `id` is the caller's stable key for it (the notifier's event key), so the same
    event enqueued twice reaches each endpoint once. `data` holds the message's parameters, the
    same a party reads in its inbox: never a secret, a token or a channel address."""

    id: str = Field(min_length=1, max_length=200)
    kind: MessageKind
    subject_id: str | None = Field(description="the escrow or case the event is about, if any")
    occurred_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)

    def body(self) -> bytes:
        """Compact JSON with sorted keys: one byte string per event, whoever builds it."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
