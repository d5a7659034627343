"""A party's Ed25519 key and the envelopes it signs, key events included (domain/keys.py)."""

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.keys import KEY_ADD, KEY_PAIR, KEY_RECOVER, KEY_RECOVER_APPROVE, KEY_REVOKE
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

    # -- key events: a party's own (pairing, adding, revoking) and a council member's (recovery)
    def sign_pairing(self, party_id: str, label: str, now: datetime | None = None) -> SignedStep:
        """This (new) key's proof that its holder can sign with it, for `party_id` under `label`."""
        payload = {"public_key": self.public_key_b64, "label": label}
        return self.sign_step(action=KEY_PAIR, subject=party_id, signer=party_id, payload=payload, now=now)

    def sign_key_add(self, party_id: str, pairing: SignedStep, now: datetime | None = None) -> SignedStep:
        """Add the key whose `pairing` this is, signed with this (existing) key."""
        payload = {**pairing.envelope["payload"], "possession": nested(pairing)}
        return self.sign_step(action=KEY_ADD, subject=party_id, signer=party_id, payload=payload, now=now)

    def sign_key_revoke(self, party_id: str, public_key: str, now: datetime | None = None) -> SignedStep:
        payload = {"public_key": public_key}
        return self.sign_step(action=KEY_REVOKE, subject=party_id, signer=party_id, payload=payload, now=now)

    def sign_recovery_approval(
        self, council_id: str, party_id: str, public_key: str, request: str, waiting_hours: int
    ) -> SignedStep:
        """The first council member's half of binding `public_key` to a party that lost every key."""
        payload = {"public_key": public_key, "request": request, "waiting_hours": waiting_hours}
        return self.sign_step(
            action=KEY_RECOVER_APPROVE, subject=party_id, signer=council_id, payload=payload
        )

    def sign_recovery(
        self, council_id: str, approval: SignedStep, pairing: SignedStep, now: datetime | None = None
    ) -> SignedStep:
        """The second council member's binding, over the first's approval and the new key's pairing."""
        payload = {
            **approval.envelope["payload"],
            "label": pairing.envelope["payload"]["label"],
            "approval": nested(approval),
            "possession": nested(pairing),
        }
        subject = approval.envelope["subject"]
        return self.sign_step(
            action=KEY_RECOVER, subject=subject, signer=council_id, payload=payload, now=now
        )


def nested(step: SignedStep) -> dict[str, Any]:
    """A signed envelope as another event's payload carries it."""
    return {"envelope": step.envelope, "signature": step.signature}
