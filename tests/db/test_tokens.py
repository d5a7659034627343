"""A party's tokens: each kind opens only itself, expires, is revoked by its party alone."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from db import tokens
from db.models import PartyToken, utcnow
from tests.db.factories import make_party

HOUR = timedelta(hours=1)


def test_a_session_token_opens_a_session_only_and_its_nonce_opens_one(session: Session) -> None:
    party = make_party(session)
    row, secret = tokens.issue(
        session=session, party_id=party.id, kind="session", lifetime=HOUR, nonce="n" * 32
    )

    assert tokens.authenticate(session=session, secret=secret, kind="session") == (party, row)
    with pytest.raises(tokens.TokenRefused, match="bad_token"):
        tokens.authenticate(session=session, secret=secret, kind="api")
    with pytest.raises(tokens.NonceUsedError):
        tokens.issue(session=session, party_id=party.id, kind="api", lifetime=HOUR, nonce="n" * 32)
    other = make_party(session, name="Other")
    others, _ = tokens.issue(
        session=session, party_id=other.id, kind="session", lifetime=HOUR, nonce="n" * 32
    )
    listed = tokens.list_live(session=session, party_id=party.id)
    assert [(t.id, t.kind) for t in listed][:1] == [(row.id, "session")]
    assert [t.kind for t in listed] == ["session", "api"] and others.id not in {t.id for t in listed}


def test_expired_and_revoked_tokens_open_nothing_and_leave_the_list(session: Session) -> None:
    party = make_party(session)
    expired, expired_secret = tokens.issue(
        session=session, party_id=party.id, kind="session", lifetime=HOUR, nonce="e" * 32
    )
    expired.expires_at = utcnow() - timedelta(seconds=1)
    session.add(expired)
    session.commit()
    revoked, revoked_secret = tokens.issue(
        session=session, party_id=party.id, kind="api", lifetime=HOUR, nonce="r" * 32
    )
    live, _ = tokens.issue(session=session, party_id=party.id, kind="api", lifetime=HOUR, nonce="l" * 32)

    first = tokens.revoke(session=session, party_id=party.id, token_id=revoked.id)
    again = tokens.revoke(session=session, party_id=party.id, token_id=revoked.id)

    assert first is not None and again is not None and first.revoked_at == again.revoked_at
    with pytest.raises(tokens.TokenRefused, match="token_expired"):
        tokens.authenticate(session=session, secret=expired_secret, kind="session")
    with pytest.raises(tokens.TokenRefused, match="token_revoked"):
        tokens.authenticate(session=session, secret=revoked_secret, kind="api")
    listed = {t.id for t in tokens.list_live(session=session, party_id=party.id)}
    assert live.id in listed and not {expired.id, revoked.id} & listed


def test_a_party_cannot_revoke_another_partys_token(session: Session) -> None:
    owner, stranger = make_party(session), make_party(session, name="Stranger")
    row, secret = tokens.issue(session=session, party_id=owner.id, kind="api", lifetime=HOUR, nonce="o" * 32)

    assert tokens.revoke(session=session, party_id=stranger.id, token_id=row.id) is None
    assert tokens.revoke(session=session, party_id=stranger.id, token_id="TOK-NOSUCHTOKEN") is None
    assert session.get(PartyToken, row.id).revoked_at is None
    assert tokens.authenticate(session=session, secret=secret, kind="api")[0] == owner


def test_a_new_token_clears_the_partys_tokens_expired_for_over_a_day(session: Session) -> None:
    party, other = make_party(session), make_party(session, name="Other")
    old, _ = tokens.issue(session=session, party_id=party.id, kind="session", lifetime=HOUR, nonce="a" * 32)
    recent, _ = tokens.issue(
        session=session, party_id=party.id, kind="session", lifetime=HOUR, nonce="b" * 32
    )
    others, _ = tokens.issue(
        session=session, party_id=other.id, kind="session", lifetime=HOUR, nonce="c" * 32
    )
    for row, ago in (
        (old, tokens.KEPT_AFTER_EXPIRY + HOUR),
        (recent, HOUR),
        (others, tokens.KEPT_AFTER_EXPIRY + HOUR),
    ):
        row.expires_at = utcnow() - ago
        session.add(row)
    session.commit()

    tokens.issue(session=session, party_id=party.id, kind="session", lifetime=HOUR, nonce="d" * 32)

    kept = {row.id for row in session.exec(select(PartyToken)).all()}
    assert old.id not in kept and {recent.id, others.id} <= kept
