"""Keyword-only helpers over the application tables, for the API and activities.

Transaction convention: every helper that writes commits before it returns (and
rolls back if it raises), so a returned value is durable and row locks, such as
the id sequence's, are held for one short transaction. Anything the caller left
pending in the session is committed with it. Read helpers never commit.

Writes that activities repeat on retry are single INSERT ... ON CONFLICT
statements, which SQLite (>= 3.24) and PostgreSQL both run atomically, so
idempotency and version ordering hold under concurrent writers without
read-then-write races. The projection upsert bypasses the session's identity
map, so projection reads reload rows the session already holds
(populate_existing) rather than return what it saw before; audit entries and
alerts are never updated, so theirs need not.
"""

import base64
import binascii
import functools
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import FromClause, Insert, inspect, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapper
from sqlmodel import Session, col, select

from db import tokens
from db.models import (
    AppModel,
    AuditEntry,
    CouncilAlert,
    EscrowProjection,
    IdSequence,
    Party,
    PartyKeyRecord,
    utcnow,
)
from domain.alert_codes import AlertCode, AlertParams, kind_of
from domain.keys import key_id
from domain.roles import PARTY_ROLES

_PARTY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_AUDIT_FIELDS = (
    "action",
    "signer_id",
    "signer_role",
    "entry_hash",
    "prev_hash",
    "envelope_json",
    "signature",
)


class PublicKeyTakenError(ValueError):
    """Another party already registered this key; one key must name one signer."""


class CreditCodeTakenError(ValueError):
    """Another party registered this unified social credit code: one business, one party."""


class AuditConflictError(RuntimeError):
    """A stored audit entry differs from the one offered under the same sequence number.

    The trail is evidence: a second, different entry at the same place means the
    chain forked, which must stop the writer rather than be silently ignored.
    """


def dialect_insert(session: Session, model: type[AppModel]) -> Any:
    return insert_for(session.get_bind().dialect.name, model)


def insert_for(dialect: str, target: Any) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(target)
    if dialect == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"unsupported database dialect: {dialect}")


def table_of(model: type[AppModel]) -> FromClause:
    """A table model's table (the `__table__` SQLAlchemy sets, which SQLModel's types do not declare)."""
    mapper: Mapper[AppModel] = inspect(model)
    return mapper.local_table


def reused_statement(build: Callable[[str], Insert]) -> Callable[[Session], Insert]:
    """A write built once per dialect, on the model's table rather than through the ORM.

    For the projection's writes, which run after every step: SQLAlchemy spent more time
    building and compiling a fresh ORM insert each call than SQLite spent storing it
    (docs/BENCHMARKS.md). A Core statement built once is compiled once and reused, and
    its values come as parameters.
    """
    cached = functools.cache(build)
    return lambda session: cached(session.get_bind().dialect.name)


def execute_write(session: Session, statement: Insert, parameters: Any = None) -> list[Any]:
    """Run one write (with its parameters, for a reused statement) and commit; the RETURNING values."""
    try:
        rows = list(session.execute(statement, parameters).scalars().all())
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return rows


def canonical_public_key(public_key: str) -> str:
    """Re-encode so one key has one spelling, which the unique constraint relies on."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("public key must be standard base64") from exc
    if len(raw) != 32:
        raise ValueError("public key must be a raw 32-byte Ed25519 key")
    return base64.b64encode(raw).decode()


def create_party(
    *,
    session: Session,
    role: str,
    display_name: str,
    public_key: str,
    token_lifetime: timedelta,
    address: str | None = None,
    credit_code: str | None = None,
    legal_name: str | None = None,
) -> tuple[Party, str]:
    """Register a party with its first API token, stored in the same commit; the token's
    secret is returned once and only its hash is kept (db.tokens). A business gives its
    credit code (already checked, domain/credit_code.py) and legal name; it starts unverified."""
    if role not in PARTY_ROLES:
        raise ValueError(f"role must be one of {sorted(str(r) for r in PARTY_ROLES)}")
    if not display_name.strip():
        raise ValueError("display name must not be empty")
    key = canonical_public_key(public_key)
    party = Party(
        id="P-" + "".join(secrets.choice(_PARTY_ID_ALPHABET) for _ in range(10)),
        role=role,
        display_name=display_name.strip(),
        public_key=key,
        address=address.strip() if address and address.strip() else None,
        credit_code=credit_code,
        legal_name=legal_name.strip() if legal_name else None,
    )
    token, secret = tokens.new_token(
        party_id=party.id, kind="api", lifetime=token_lifetime, key_id=key_id(key)
    )
    session.add_all([party, token, root_key(party)])  # inserted in foreign-key order by the unit of work
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if get_party_by_public_key(session=session, public_key=key) is not None:
            raise PublicKeyTakenError("public key already registered") from None
        if (
            credit_code is not None
            and session.exec(select(Party).where(Party.credit_code == credit_code)).first()
        ):
            raise CreditCodeTakenError("credit code already registered") from None
        raise
    session.refresh(party)
    return party, secret


def root_key(party: Party) -> PartyKeyRecord:
    """A new party's registration key as its first device (db/keys.py keeps the rest)."""
    return PartyKeyRecord(
        id=key_id(party.public_key),
        party_id=party.id,
        public_key=party.public_key,
        label="first device",
        via="registration",
        added_at=party.created_at,
    )


def get_party(*, session: Session, party_id: str) -> Party | None:
    return session.get(Party, party_id)


def get_party_by_public_key(*, session: Session, public_key: str) -> Party | None:
    statement = select(Party).where(Party.public_key == canonical_public_key(public_key))
    return session.exec(statement).first()


def list_parties(*, session: Session, ids: Sequence[str]) -> list[Party]:
    if not ids:
        return []
    statement = select(Party).where(col(Party.id).in_(set(ids))).order_by(col(Party.id))
    return list(session.exec(statement).all())


def list_parties_by_role(*, session: Session, role: str) -> list[Party]:
    statement = select(Party).where(Party.role == role).order_by(col(Party.created_at), col(Party.id))
    return list(session.exec(statement).all())


def next_id(*, session: Session, prefix: str, year: int) -> str:
    """Hand out the next number for (prefix, year), gap-free and never twice.

    One upsert both creates the counter and increments it: PostgreSQL locks the
    row for the statement, SQLite takes its database write lock.
    """
    insert = dialect_insert(session, IdSequence).values(prefix=prefix, year=year, last_value=1)
    statement = insert.on_conflict_do_update(
        index_elements=[IdSequence.prefix, IdSequence.year],
        set_={"last_value": IdSequence.last_value + 1},
    ).returning(IdSequence.last_value)
    (value,) = execute_write(session, statement)
    return f"{prefix}-{year}-{value:05d}"


def next_escrow_id(*, session: Session, year: int) -> str:
    return next_id(session=session, prefix="ESC", year=year)


def upsert_escrow_projection(
    *,
    session: Session,
    escrow_id: str,
    version: int,
    workflow_id: str,
    owner_id: str,
    contractor_id: str,
    inspector_id: str | None,
    status: str,
    current_stage: int | None,
    total_fen: int,
    deposited_fen: int,
    released_fen: int,
    refunded_fen: int,
    held_fen: int,
    summary: Mapping[str, Any],
) -> bool:
    """Store the snapshot unless a newer or equal version is already stored.

    Returns whether it was applied. Projections arrive out of order and twice
    (activity retries), so the version comparison happens inside the upsert.
    """
    amounts = {
        "total_fen": total_fen,
        "deposited_fen": deposited_fen,
        "released_fen": released_fen,
        "refunded_fen": refunded_fen,
        "held_fen": held_fen,
    }
    for name, value in amounts.items():
        if type(value) is not int:
            raise TypeError(f"{name} must be an int amount in fen, got {type(value).__name__}")
    now = utcnow()
    values = {
        "escrow_id": escrow_id,
        "version": version,
        "workflow_id": workflow_id,
        "owner_id": owner_id,
        "contractor_id": contractor_id,
        "inspector_id": inspector_id,
        "status": status,
        "current_stage": current_stage,
        **amounts,
        "summary_json": json.dumps(summary, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "created_at": now,
        "updated_at": now,
    }
    return bool(execute_write(session, _escrow_projection_upsert(session), values))


_PROJECTION_UPDATES = (
    "version", "workflow_id", "owner_id", "contractor_id", "inspector_id", "status", "current_stage",
    "total_fen", "deposited_fen", "released_fen", "refunded_fen", "held_fen", "summary_json", "updated_at",
)  # fmt: skip


@reused_statement
def _escrow_projection_upsert(dialect: str) -> Insert:
    insert = insert_for(dialect, table_of(EscrowProjection))
    return insert.on_conflict_do_update(
        index_elements=[col(EscrowProjection.escrow_id)],
        set_={name: insert.excluded[name] for name in _PROJECTION_UPDATES},
        where=col(EscrowProjection.version) < insert.excluded.version,
    ).returning(col(EscrowProjection.escrow_id))


def get_escrow_projection(*, session: Session, escrow_id: str) -> EscrowProjection | None:
    return session.get(EscrowProjection, escrow_id, populate_existing=True)


def list_escrow_projections(*, session: Session, ids: Sequence[str]) -> list[EscrowProjection]:
    """The stored escrows with these ids (those not stored yet are left out): what lists of cases
    read an escrow's title from."""
    if not ids:
        return []
    statement = select(EscrowProjection).where(col(EscrowProjection.escrow_id).in_(set(ids)))
    return list(session.exec(statement).all())


def list_escrows_for_party(
    *, session: Session, party_id: str, limit: int = 50, offset: int = 0
) -> list[EscrowProjection]:
    """Escrows where the party is owner, contractor or inspector, newest first."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset non-negative")
    statement = (
        select(EscrowProjection)
        .where(
            or_(
                col(EscrowProjection.owner_id) == party_id,
                col(EscrowProjection.contractor_id) == party_id,
                col(EscrowProjection.inspector_id) == party_id,
            )
        )
        .order_by(col(EscrowProjection.created_at).desc(), col(EscrowProjection.escrow_id).desc())
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement).all())


def append_audit_entries(*, session: Session, subject_id: str, entries: Sequence[Mapping[str, Any]]) -> int:
    """Store the entries not stored yet and return how many were new.

    Each entry carries `seq` and the fields of AuditEntry (`prev_hash` may be
    None, `recorded_at` defaults to now). Re-sending stored entries is a no-op;
    a different entry under a stored `seq` raises AuditConflictError and the
    whole batch is rolled back.
    """
    if not entries:
        return 0
    now = utcnow()
    rows = []
    for entry in entries:
        unknown = set(entry) - {"seq", "recorded_at", *_AUDIT_FIELDS}
        missing = {"seq", *_AUDIT_FIELDS} - set(entry)
        if unknown or missing:
            raise ValueError(f"audit entry: unknown {sorted(unknown)}, missing {sorted(missing)}")
        rows.append({"subject_id": subject_id, "recorded_at": now, **entry})
    if len({row["seq"] for row in rows}) != len(rows):
        raise ValueError("audit entries repeat a sequence number")

    try:
        inserted = set(session.execute(_audit_insert(session), rows).scalars().all())
        offered = {row["seq"]: row for row in rows if row["seq"] not in inserted}
        if offered:
            stored = session.exec(
                select(AuditEntry).where(
                    AuditEntry.subject_id == subject_id, col(AuditEntry.seq).in_(offered)
                )
            ).all()
            for existing in stored:
                row = offered[existing.seq]
                if any(getattr(existing, name) != row[name] for name in _AUDIT_FIELDS):
                    raise AuditConflictError(
                        f"{subject_id} seq {existing.seq}: a different entry is already stored"
                    )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(inserted)


@reused_statement
def _audit_insert(dialect: str) -> Insert:
    insert = insert_for(dialect, table_of(AuditEntry))
    return insert.on_conflict_do_nothing(
        index_elements=[col(AuditEntry.subject_id), col(AuditEntry.seq)]
    ).returning(col(AuditEntry.seq))


def list_audit_entries(*, session: Session, subject_id: str) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.subject_id == subject_id).order_by(col(AuditEntry.seq))
    return list(session.exec(statement).all())


def stored_trail(*, session: Session, subject_id: str) -> list[dict[str, Any]]:
    """The audit log's entries as the workflow's trail export writes them, envelopes as signed:
    where an escrow's earlier run's entries are read from once it continued as new."""
    return [
        {
            "seq": row.seq,
            "action": row.action,
            "signer": row.signer_id,
            "signer_role": row.signer_role,
            "envelope": json.loads(row.envelope_json),
            "signature": row.signature,
            "prev_hash": row.prev_hash,
            "entry_hash": row.entry_hash,
        }
        for row in list_audit_entries(session=session, subject_id=subject_id)
    ]


def raise_alert(
    *,
    session: Session,
    subject_id: str,
    code: AlertCode,
    params: AlertParams,
    business_key: str,
    kind: str | None = None,
) -> bool:
    """Raise an alert once per business key; returns whether this call raised it. Its `kind` is the
    code's (`kind_of`) unless given (a duty's failure is kind `<duty>_failing`)."""
    insert = dialect_insert(session, CouncilAlert).values(
        subject_id=subject_id,
        kind=kind or kind_of(code),
        code=code.value,
        params_json=json.dumps(params, ensure_ascii=False, sort_keys=True),
        business_key=business_key,
        created_at=utcnow(),
    )
    statement = insert.on_conflict_do_nothing(index_elements=[CouncilAlert.business_key]).returning(
        CouncilAlert.id
    )
    return bool(execute_write(session, statement))


def list_alerts(*, session: Session, subject_id: str | None = None) -> list[CouncilAlert]:
    """Alerts, newest first, optionally about one subject (an escrow, a case ...)."""
    statement = select(CouncilAlert).order_by(col(CouncilAlert.id).desc())
    if subject_id is not None:
        statement = statement.where(CouncilAlert.subject_id == subject_id)
    return list(session.exec(statement).all())


def list_escrows_by_status(*, session: Session, status: str, limit: int = 200) -> list[EscrowProjection]:
    """Escrows in one phase (e.g. `funding`: signed, waiting for the deposit), oldest first."""
    statement = (
        select(EscrowProjection)
        .where(EscrowProjection.status == status)
        .order_by(col(EscrowProjection.created_at), col(EscrowProjection.escrow_id))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement).all())
