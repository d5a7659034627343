"""A party's keys and key events as stored (the db.crud conventions: writes commit).

The rules are domain/keys.py's: `record_event` replays the party's stored events into a
`KeyRing`, plans the new one against it (every signature and condition checked there), and only
then stores the event and updates the device rows, in one commit. The event list is what the
API sends to a process with each of the party's steps, so the process applies the same events
with the same code (api/routes/steps.py).
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from db import crud
from db.models import KeyEventRecord, Party, PartyKeyRecord, PartyToken, utcnow
from domain.canonical import canonical_json
from domain.keys import KEY_RECOVER, HeldKey, KeyChange, KeyRing, key_id, replay
from domain.roles import Role
from domain.steps.rejections import conflict
from domain.steps.signing import SignedStep


def council_keys(session: Session) -> dict[str, str]:
    """Every council member's registration key: what a recovery's two signatures are checked with."""
    return {c.id: c.public_key for c in crud.list_parties_by_role(session=session, role=Role.COUNCIL.value)}


def events_of(session: Session, party_id: str) -> list[SignedStep]:
    """The party's key events in the order they were applied (none for a party with one key)."""
    rows = session.exec(
        select(KeyEventRecord).where(KeyEventRecord.party_id == party_id).order_by(col(KeyEventRecord.seq))
    ).all()
    return [SignedStep(envelope=json.loads(row.envelope), signature=row.signature) for row in rows]


def councils_for(session: Session, events: Sequence[SignedStep]) -> dict[str, str]:
    """The council list a recovery among `events` is checked with, read only when there is one
    (sign-in and every accepted step rebuild a ring; most parties never recover). Sent with the
    events to a process, whose own list may predate a member who signed the recovery."""
    recovered = any(event.envelope.get("action") == KEY_RECOVER for event in events)
    return council_keys(session) if recovered else {}


def ring_of(session: Session, party: Party, councils: Mapping[str, str] | None = None) -> KeyRing:
    """The party's keys now."""
    events = events_of(session, party.id)
    if councils is None:
        councils = councils_for(session, events)
    return replay(party.id, party.public_key, party.created_at, events, councils)


def keys_of(session: Session, party_id: str) -> list[PartyKeyRecord]:
    """The party's devices, oldest first, revoked ones included."""
    statement = (
        select(PartyKeyRecord)
        .where(PartyKeyRecord.party_id == party_id)
        .order_by(col(PartyKeyRecord.added_at), col(PartyKeyRecord.id))
    )
    return list(session.exec(statement).all())


def key_taken(session: Session, public_key: str) -> bool:
    """Whether any party holds or held `public_key`: every registration key has its row too
    (db.crud.create_party, migration 0012), so the device rows say it alone."""
    return (
        session.exec(select(PartyKeyRecord.id).where(PartyKeyRecord.public_key == public_key)).first()
        is not None
    )


def record_event(session: Session, party: Party, event: SignedStep, now: datetime) -> KeyChange | None:
    """Apply `event` to the party's keys and store it; None if it was applied already.

    Refused (StepRejected, domain/steps/rejections.py) as the ring refuses it, and with 409
    `public_key_taken` when the key it adds is another party's. Two events racing for the
    same party: the loser's sequence number is taken, and it is refused as `key_event_raced`
    (sign it again: the ring it was checked against has changed).
    """
    councils = council_keys(session)
    ring = ring_of(session, party, councils)
    planned = ring.plan(event, councils, now)
    if planned is None:
        return None
    change = planned()
    if change.action != "key.revoke" and key_taken(session, change.public_key):
        raise conflict("public_key_taken", "another party already holds this key")
    seq = (
        session.exec(select(func.max(KeyEventRecord.seq)).where(KeyEventRecord.party_id == party.id)).one()
        or 0
    ) + 1
    session.add(
        KeyEventRecord(
            party_id=party.id,
            seq=seq,
            action=change.action,
            envelope=canonical_json(event.envelope).decode(),
            signature=event.signature,
            event_hash=change.event_hash,
            recorded_at=now,
        )
    )
    _update_devices(session, party.id, ring, change)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict(
            "key_event_raced", "the party's keys changed meanwhile: sign the event again"
        ) from None
    return change


def _update_devices(session: Session, party_id: str, ring: KeyRing, change: KeyChange) -> None:
    rows = {row.public_key: row for row in keys_of(session, party_id)}
    for public_key in change.revoked:
        if public_key in rows:
            rows[public_key].revoked_at = change.at
            session.add(rows[public_key])
    if change.revoked:  # what the revoked keys opened (sessions, API tokens) ends with them
        revoked_ids = [key_id(public_key) for public_key in change.revoked]
        session.execute(
            update(PartyToken)
            .where(
                col(PartyToken.party_id) == party_id,
                col(PartyToken.key_id).in_(revoked_ids),
                col(PartyToken.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )
    if change.action != "key.revoke":
        held: HeldKey = ring.keys[change.public_key]
        session.add(
            PartyKeyRecord(
                id=held.key_id,
                party_id=party_id,
                public_key=held.public_key,
                label=held.label,
                via=held.via,
                added_at=held.added_at,
            )
        )


def signing_key(session: Session, party: Party, step: SignedStep) -> PartyKeyRecord | None:
    """The party's active key that signed `step`, if any (sign-in, tokens, `last_used_at`)."""
    held = ring_of(session, party).signing_key(step)
    return None if held is None else session.get(PartyKeyRecord, held.key_id)


def touch(session: Session, key: PartyKeyRecord, now: datetime) -> None:
    """Mark `key` used at `now` (shown on the party's device list)."""
    key.last_used_at = now
    session.add(key)
    session.commit()
