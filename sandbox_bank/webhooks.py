"""Webhook signatures shared by the bank (signing) and the API (verifying).

The signature covers the exact bytes sent, so a receiver must verify the raw
request body before parsing it: re-serialising parsed JSON can change the bytes.
This module imports nothing from the bank so the API can use it without pulling
in the bank's database code.
"""

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="
DEPOSIT_CONFIRMED = "deposit.confirmed"  # the one event type the bank sends


def sign_payload(secret: bytes, body: bytes) -> str:
    """The `X-Bank-Signature` header value for `body`."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Constant-time check so a forger learns nothing from response timing."""
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign_payload(secret, body), header)
