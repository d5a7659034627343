"""Pairing a device by a short code (db/models.py KeyPairing; the flow: api/routes/keys.py).

The code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 40 bits:
with the pairing's 10 minutes, a few wrong guesses per pairing and per address
(api/rate_limits.py), it cannot be guessed, and it is short enough to type. Only its SHA-256
is kept: a database reader cannot answer a pairing, and the code dies with it anyway. Writes
commit before they return (the db.crud convention).
"""

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from db.models import KeyPairing, utcnow
from domain.canonical import canonical_json
from domain.steps.signing import SignedStep

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_WRONG_GUESSES = 5

PairingStatus = Literal["waiting", "answered", "done", "expired", "closed"]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised(text: str) -> str | None:
    """The code as typed (any case, spaces or dashes between groups), or None if it cannot be one."""
    code = "".join(character for character in text.upper() if character not in " -")
    if len(code) != CODE_LENGTH or any(character not in CODE_ALPHABET for character in code):
        return None
    return code


def shown(code: str) -> str:
    """The code as people read it: two groups of four ("K7QM-3XPA")."""
    return f"{code[:4]}-{code[4:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def open_pairing(*, session: Session, party_id: str, lifetime: timedelta) -> tuple[KeyPairing, str]:
    """A new pairing for the party and its code (returned once, kept only as a hash)."""
    code = new_code()
    now = utcnow()
    pairing = KeyPairing(
        id=secrets.token_urlsafe(18),
        party_id=party_id,
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(pairing)
    session.commit()
    session.refresh(pairing)
    return pairing, code


def by_code(*, session: Session, code: str) -> KeyPairing | None:
    """The newest pairing opened with this code (codes of long-expired pairings may repeat)."""
    statement = (
        select(KeyPairing)
        .where(KeyPairing.code_hash == code_hash(code))
        .order_by(col(KeyPairing.created_at).desc())
    )
    return session.exec(statement).first()


def get(*, session: Session, pairing_id: str) -> KeyPairing | None:
    return session.get(KeyPairing, pairing_id)


def status_of(pairing: KeyPairing, now: datetime) -> PairingStatus:
    if pairing.completed_at is not None:
        return "done"
    if now >= pairing.expires_at:
        return "expired"
    if pairing.wrong_guesses >= MAX_WRONG_GUESSES:
        return "closed"
    return "waiting" if pairing.public_key is None else "answered"


def count_wrong(*, session: Session, pairing: KeyPairing) -> None:
    pairing.wrong_guesses += 1
    session.add(pairing)
    session.commit()


def answer(
    *, session: Session, pairing: KeyPairing, possession: SignedStep, public_key: str, label: str
) -> bool:
    """Store the new device's key and its signed `key.pair`; False when another device answered
    first (one conditional update, so two devices racing for one code cannot both win)."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(KeyPairing)
        .where(col(KeyPairing.id) == pairing.id, col(KeyPairing.public_key).is_(None))
        .values(
            public_key=public_key,
            label=label,
            possession=canonical_json(
                {"envelope": possession.envelope, "signature": possession.signature}
            ).decode(),
            submitted_at=utcnow(),
        )
    )
    session.commit()
    session.refresh(pairing)
    return bool(result.rowcount)


def possession_of(pairing: KeyPairing) -> SignedStep | None:
    """The new device's signed `key.pair`, once it answered."""
    if pairing.possession is None:
        return None
    stored = json.loads(pairing.possession)
    return SignedStep(envelope=stored["envelope"], signature=stored["signature"])


def complete(*, session: Session, pairing: KeyPairing, now: datetime) -> None:
    pairing.completed_at = now
    session.add(pairing)
    session.commit()
    session.refresh(pairing)
