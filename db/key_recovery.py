"""Key recovery requests as stored (the db.crud conventions: writes commit).

A request moves requested -> checked (the council saw the person and the document) ->
approved (the first member's `key.recover.approve`) -> waiting (the second member's
`key.recover`; the workflow `key-recovery-{id}` waits out the period) -> done (the event is
recorded, every old key revoked) or cancelled (a surviving key refused it) or failed (the
event could no longer be applied when its time came: the code says why). Each step here
checks the state it moves from, under a conditional UPDATE, so two clerks pressing the same
button move it once.

The identity document's number is kept only as an HMAC-SHA256 under ESCROW_ID_NUMBER_SECRET
(`document_hash`): never in clear, in the table, the logs or an answer.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from db.models import KeyRecoveryRecord
from domain.canonical import canonical_json
from domain.keys import KeyPair
from domain.steps.signing import SignedStep

REQUESTED, CHECKED, APPROVED, WAITING = "requested", "checked", "approved", "waiting"
CANCELLED, DONE, FAILED = "cancelled", "done", "failed"
STATES = (REQUESTED, CHECKED, APPROVED, WAITING, CANCELLED, DONE, FAILED)
OPEN_STATES = (REQUESTED, CHECKED, APPROVED, WAITING)
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # read out at a desk: no 0/O, 1/I


class StateChanged(Exception):
    """The request is no longer in the state the step moves it from."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class IdentityCheck:
    """What the council member checked, the document's number already hashed."""

    document_kind: str
    document_hash: str
    photo_matched: bool
    name_matched: bool
    notes: str
    checked_by: str
    checked_at: datetime


def document_hash(secret: str, kind: str, number: str) -> str:
    """The keyed hash a document number is kept as: spaces dropped and letters upper-cased first,
    so the number typed twice ("g 1234 5678" and "G12345678") hashes alike."""
    normalised = "".join(number.split()).upper()
    return hmac.new(secret.encode(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def new_request_id() -> str:
    """KR- and 10 characters (50 bits): short enough to read out, too many to guess, since the
    request's page answers anyone who holds its id."""
    return "KR-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def stored_step(step: SignedStep) -> str:
    return canonical_json({"envelope": step.envelope, "signature": step.signature}).decode()


def create_request(
    *, session: Session, party_id: str, pairing: SignedStep, pair: KeyPair, now: datetime
) -> KeyRecoveryRecord:
    row = KeyRecoveryRecord(
        id=new_request_id(),
        party_id=party_id,
        public_key=pair.public_key,
        label=pair.label,
        pairing=stored_step(pairing),
        state=REQUESTED,
        requested_at=now,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_request(*, session: Session, request_id: str) -> KeyRecoveryRecord | None:
    return session.get(KeyRecoveryRecord, request_id, populate_existing=True)


def list_requests(
    *, session: Session, states: Sequence[str] = STATES, party_id: str | None = None, limit: int = 100
) -> list[KeyRecoveryRecord]:
    """Requests in `states`, newest first."""
    statement = select(KeyRecoveryRecord).where(col(KeyRecoveryRecord.state).in_(states))
    if party_id is not None:
        statement = statement.where(KeyRecoveryRecord.party_id == party_id)
    statement = statement.order_by(col(KeyRecoveryRecord.requested_at).desc()).limit(limit)
    return list(session.exec(statement).all())


def _move(
    session: Session, request_id: str, from_states: Sequence[str], values: dict[str, Any]
) -> KeyRecoveryRecord:
    """Set `values` on the request if it is in one of `from_states`; StateChanged otherwise."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(KeyRecoveryRecord)
        .where(col(KeyRecoveryRecord.id) == request_id, col(KeyRecoveryRecord.state).in_(from_states))
        .values(**values)
    )
    session.commit()
    row = get_request(session=session, request_id=request_id)
    assert row is not None
    if result.rowcount != 1:
        raise StateChanged(row.state)
    return row


def record_check(*, session: Session, request_id: str, check: IdentityCheck) -> KeyRecoveryRecord:
    """The identity check (again, until a member approves: a second look replaces the first)."""
    values = {
        "state": CHECKED,
        "document_kind": check.document_kind,
        "document_hash": check.document_hash,
        "photo_matched": check.photo_matched,
        "name_matched": check.name_matched,
        "check_notes": check.notes,
        "checked_by": check.checked_by,
        "checked_at": check.checked_at,
    }
    return _move(session, request_id, (REQUESTED, CHECKED), values)


def record_approval(
    *, session: Session, request_id: str, approval: SignedStep, member: str, at: datetime
) -> KeyRecoveryRecord:
    values = {"state": APPROVED, "approval": stored_step(approval), "approved_by": member, "approved_at": at}
    return _move(session, request_id, (CHECKED,), values)


def record_binding(
    *, session: Session, request_id: str, binding: SignedStep, member: str, effective_at: datetime
) -> KeyRecoveryRecord:
    values = {
        "state": WAITING,
        "binding": stored_step(binding),
        "bound_by": member,
        "effective_at": effective_at,
    }
    return _move(session, request_id, (APPROVED,), values)


def close(
    *,
    session: Session,
    request_id: str,
    state: str,
    at: datetime,
    cancelled_by_key: str | None = None,
    failure: str | None = None,
) -> KeyRecoveryRecord:
    """The end of a waiting request (done, cancelled or failed); closing it again to the same
    state changes nothing: the workflow's activity retried, or it and the cancellation's route
    close the same request at once (the later finds it closed between its read and its write)."""
    row = get_request(session=session, request_id=request_id)
    assert row is not None
    if row.state == state:
        return row
    values = {"state": state, "closed_at": at, "cancelled_by_key": cancelled_by_key, "failure": failure}
    try:
        return _move(session, request_id, (WAITING,), values)
    except StateChanged as changed:
        if changed.state != state:
            raise
    closed = get_request(session=session, request_id=request_id)
    assert closed is not None
    return closed
