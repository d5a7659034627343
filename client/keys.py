"""A party's Ed25519 key and the envelopes it signs."""

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.steps.signing import SignedStep, sign, utc_timestamp


@dataclass
class PartyKey:
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> "PartyKey":
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key_b64(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign_step(
        self,
        *,
        action: str,
        subject: str,
        signer: str,
        payload: dict[str, Any],
        now: datetime | None = None,
    ) -> SignedStep:
        envelope = {
            "action": action,
            "subject": subject,
            "signer": signer,
            "nonce": secrets.token_hex(16),
            "timestamp": utc_timestamp(now or datetime.now(UTC)),
            "payload": payload,
        }
        return sign(self.private_key, envelope)
