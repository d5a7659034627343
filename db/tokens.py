"""A party's bearer tokens: issued with an expiry, found by their hash, listed, revoked.

Two kinds, never interchangeable: an `api` token is sent as `Authorization: Bearer` by
programs; a `session` token lives only in the browser's HttpOnly cookie (web/session.py).
A secret is shown once, when issued, and only its SHA-256 is kept: the secrets are 256
random bits, so a plain hash cannot be reversed and needs no salt. Writes commit before
they return (the db.crud convention).
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import Party, PartyToken, utcnow

TokenKind = Literal["api", "session"]


def kind_of(token: PartyToken) -> TokenKind:
    """The token's kind as its type; the table's check constraint allows no other value."""
    if token.kind == "api":
        return "api"
    if token.kind == "session":
        return "session"
    raise ValueError(f"token {token.id} has an unknown kind {token.kind!r}")


_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
KEPT_AFTER_EXPIRY = timedelta(days=1)


class NonceUsedError(ValueError):
    """The signed request that asked for this token was already answered."""


class TokenRefused(Exception):
    """Why a presented secret opens nothing: `code` is the API's error code."""

    def __init__(self, code: Literal["bad_token", "token_expired", "token_revoked"]) -> None:
        super().__init__(code)
        self.code = code


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(
    *,
    party_id: str,
    kind: TokenKind,
    lifetime: timedelta,
    nonce: str | None = None,
    key_id: str | None = None,
) -> tuple[PartyToken, str]:
    """A token row (not yet added) and its secret, which nothing keeps."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = PartyToken(
        id="TOK-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(12)),
        party_id=party_id,
        kind=kind,
        token_hash=hash_secret(secret),
        nonce=nonce,
        key_id=key_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    return row, secret


def issue(
    *,
    session: Session,
    party_id: str,
    kind: TokenKind,
    lifetime: timedelta,
    nonce: str,
    key_id: str | None = None,
) -> tuple[PartyToken, str]:
    """Issue a token asked for by a signed request; its nonce may open one token only.

    Each sign-in adds a row, so the party's tokens expired for over `KEPT_AFTER_EXPIRY` go
    in the same commit. Their nonces need no keeping: an envelope signed before they were
    issued is long past the timestamp check."""
    row, secret = new_token(party_id=party_id, kind=kind, lifetime=lifetime, nonce=nonce, key_id=key_id)
    long_expired = col(PartyToken.expires_at) < utcnow() - KEPT_AFTER_EXPIRY
    session.execute(delete(PartyToken).where(col(PartyToken.party_id) == party_id, long_expired))
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise NonceUsedError(nonce) from None
    session.refresh(row)
    return row, secret


def authenticate(*, session: Session, secret: str, kind: TokenKind) -> tuple[Party, PartyToken]:
    """The party a secret of this kind belongs to, or `TokenRefused` saying why not."""
    statement = select(PartyToken, Party).join(Party).where(PartyToken.token_hash == hash_secret(secret))
    found = session.exec(statement).first()
    if found is None or found[0].kind != kind:
        raise TokenRefused("bad_token")
    token, party = found
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if token.expires_at <= utcnow():
        raise TokenRefused("token_expired")
    return party, token


def list_live(*, session: Session, party_id: str) -> list[PartyToken]:
    """The party's tokens that still open something, newest first."""
    statement = (
        select(PartyToken)
        .where(PartyToken.party_id == party_id, col(PartyToken.revoked_at).is_(None))
        .where(PartyToken.expires_at > utcnow())
        .order_by(col(PartyToken.created_at).desc(), col(PartyToken.id))
    )
    return list(session.exec(statement).all())


def revoke(*, session: Session, party_id: str, token_id: str) -> PartyToken | None:
    """Revoke one of the party's own tokens (again: unchanged); None if it has no such token."""
    token = session.get(PartyToken, token_id)
    if token is None or token.party_id != party_id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.commit()
        session.refresh(token)
    return token
