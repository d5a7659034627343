"""Signed envelopes: what a party signs, and how a signature is checked.

An envelope names the action, the escrow or case, the signer, a fresh nonce, a
timestamp and the action's payload. The signature is Ed25519 over the canonical
JSON of the envelope; public keys travel as base64 of the raw 32 bytes, which is
also what WebCrypto exports from a browser.
"""

import base64
import binascii
import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.canonical import canonical_json

ENVELOPE_FIELDS = {"action", "subject", "signer", "nonce", "timestamp", "payload"}


@dataclass
class SignedStep:
    """A step as it travels: the envelope exactly as signed, and the signature (base64)."""

    envelope: dict[str, Any]
    signature: str


class EnvelopeError(ValueError):
    """The envelope is not well formed (a 422, not a signature failure)."""


@dataclass(frozen=True)
class Envelope:
    action: str
    subject: str
    signer: str
    nonce: str
    timestamp: datetime
    payload: dict[str, Any]


def parse_envelope(raw: dict[str, Any]) -> Envelope:
    if not isinstance(raw, dict) or set(raw) != ENVELOPE_FIELDS:
        raise EnvelopeError(f"an envelope has exactly the fields {sorted(ENVELOPE_FIELDS)}")
    for name in ("action", "subject", "signer", "nonce", "timestamp"):
        if not isinstance(raw[name], str) or not raw[name]:
            raise EnvelopeError(f"envelope field '{name}' must be a non-empty string")
    if not 16 <= len(raw["nonce"]) <= 128:
        raise EnvelopeError("the nonce must be 16 to 128 characters")
    if not isinstance(raw["payload"], dict):
        raise EnvelopeError("envelope field 'payload' must be an object")
    try:
        timestamp = datetime.fromisoformat(raw["timestamp"].replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError("the timestamp must be ISO 8601 with a time zone") from exc
    if timestamp.tzinfo is None:
        raise EnvelopeError("the timestamp must carry a time zone (use Z for UTC)")
    return Envelope(
        action=raw["action"],
        subject=raw["subject"],
        signer=raw["signer"],
        nonce=raw["nonce"],
        timestamp=timestamp.astimezone(UTC),
        payload=raw["payload"],
    )


def decode_public_key(public_key_b64: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("the public key is not valid base64") from exc
    if len(raw) != 32:
        raise EnvelopeError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_is_valid(public_key_b64: str, step: SignedStep) -> bool:
    try:
        message = canonical_json(step.envelope)
    except (ValueError, TypeError):
        return False
    if not isinstance(public_key_b64, str) or not isinstance(step.signature, str):
        return False
    return _signature_verifies(public_key_b64, step.signature, message)


@functools.lru_cache(maxsize=1024)
def _signature_verifies(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """Remembered, because a workflow checks each step twice: its update validator and its
    handler both plan the step (a pure function of these three values, so a cached answer
    is the answer)."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        decode_public_key(public_key_b64).verify(signature, message)
    except (binascii.Error, ValueError, TypeError, InvalidSignature):
        return False
    return True


def sign(private_key: Ed25519PrivateKey, envelope: dict[str, Any]) -> SignedStep:
    signature = private_key.sign(canonical_json(envelope))
    return SignedStep(envelope=envelope, signature=base64.b64encode(signature).decode())


def utc_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
