"""A party's devices as stored: the root from registration, a paired key, a revocation, and the
events kept in order for the processes (db/keys.py over domain/keys.py), on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from client.keys import PartyKey
from db import crud, keys
from db.models import Party
from domain.steps.rejections import StepRejected
from tests.db.factories import TOKEN_LIFETIME


def registered(session: Session, name: str, key: PartyKey) -> Party:
    party, _ = crud.create_party(
        session=session,
        role="owner",
        display_name=name,
        public_key=key.public_key_b64,
        token_lifetime=TOKEN_LIFETIME,
    )
    return party


def test_a_paired_key_is_stored_then_revoked_and_the_events_replay(session: Session) -> None:
    first, second = PartyKey.generate(), PartyKey.generate()
    party = registered(session, "Li", first)
    assert [(k.public_key, k.via) for k in keys.keys_of(session, party.id)] == [
        (first.public_key_b64, "registration")
    ]

    now = datetime.now(UTC)
    add = first.sign_key_add(party.id, second.sign_pairing(party.id, "tablet"))
    change = keys.record_event(session, party, add, now)
    assert change is not None and change.public_key == second.public_key_b64
    assert keys.record_event(session, party, add, now) is None  # applied once

    revoke = second.sign_key_revoke(party.id, first.public_key_b64)
    keys.record_event(session, party, revoke, now)
    rows = {k.label: k for k in keys.keys_of(session, party.id)}
    assert rows["first device"].revoked_at is not None and rows["tablet"].revoked_at is None
    assert [e.envelope["action"] for e in keys.events_of(session, party.id)] == ["key.add", "key.revoke"]
    step = first.sign_step(action="token.issue", subject=party.id, signer=party.id, payload={})
    assert keys.signing_key(session, party, step) is None


def test_a_key_another_party_registered_is_refused(session: Session) -> None:
    first, other = PartyKey.generate(), PartyKey.generate()
    party = registered(session, "Li", first)
    registered(session, "Wang", other)
    with pytest.raises(StepRejected) as caught:
        keys.record_event(
            session, party, first.sign_key_add(party.id, other.sign_pairing(party.id, "x")), datetime.now(UTC)
        )
    assert caught.value.code == "public_key_taken"
    assert keys.events_of(session, party.id) == []
