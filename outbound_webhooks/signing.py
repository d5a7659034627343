"""How an outbound event is signed: HMAC-SHA256 over `timestamp.body` (docs/WEBHOOKS.md).

The bank's deposit webhook signs the body alone (sandbox_bank/webhooks.py); an integrator's
endpoint is on the open internet, so the timestamp is signed with the body and a receiver
refuses one older than five minutes: a captured request cannot be replayed later. Receivers
verify with their own code (docs/WEBHOOKS.md shows it in Python), so none is kept here. The HMAC
itself and its `sha256=<hex>` form are the bank's helpers, not a second implementation.
"""

import secrets
from datetime import datetime

from sandbox_bank.webhooks import sign_payload

EVENT_ID_HEADER = "X-Escrow-Event-Id"
TIMESTAMP_HEADER = "X-Escrow-Timestamp"
SIGNATURE_HEADER = "X-Escrow-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """256 random bits, shown to the endpoint's owner once, at registration."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signed_message(timestamp: int, body: bytes) -> bytes:
    return f"{timestamp}.".encode() + body


def signed_headers(secret: str, event_id: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers of one attempt: a fresh timestamp each time, so a retry days later is still fresh."""
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign_payload(secret.encode(), signed_message(timestamp, body)),
    }
