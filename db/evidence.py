"""Keyword-only helpers over the evidence tables (`evidence_file`, `evidence_ref`).

Writes commit before they return, as in db/crud.py; `record_refs` runs inside the
projection's single transaction, where its commit joins the outer one.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, or_, update
from sqlmodel import Session, col, select

from db.crud import dialect_insert, execute_write
from db.models import EvidenceFile, EvidenceRef, utcnow


def get_file(*, session: Session, digest: str) -> EvidenceFile | None:
    return session.get(EvidenceFile, digest)


def get_files(*, session: Session, digests: Iterable[str]) -> dict[str, EvidenceFile]:
    """The stored files among `digests`, by digest, in one query (a page's gallery)."""
    wanted = sorted(set(digests))
    if not wanted:
        return {}
    statement = select(EvidenceFile).where(col(EvidenceFile.digest).in_(wanted))
    return {record.digest: record for record in session.exec(statement).all()}


def first_refs(
    *, session: Session, digests: Iterable[str], subject_ids: Iterable[str]
) -> dict[str, EvidenceRef]:
    """For each file among `digests` that the trail of one of `subject_ids` names, the entry that
    named it first (who attached it there, and when), in one query."""
    wanted, subjects = sorted(set(digests)), sorted(set(subject_ids))
    if not wanted or not subjects:
        return {}
    statement = (
        select(EvidenceRef)
        .where(col(EvidenceRef.digest).in_(wanted), col(EvidenceRef.subject_id).in_(subjects))
        .order_by(col(EvidenceRef.recorded_at).desc(), col(EvidenceRef.seq).desc())
    )
    return {ref.digest: ref for ref in session.exec(statement).all()}  # the earliest is kept


def add_file(
    *,
    session: Session,
    digest: str,
    size_bytes: int,
    media_type: str,
    kind: str,
    uploaded_by: str,
    original_name: str | None,
    has_public_copy: bool,
) -> tuple[EvidenceFile, bool]:
    """Record a stored file once; the row as stored, and whether this call stored it (two
    uploads of one file at once both succeed, and the first is its uploader)."""
    statement = (
        dialect_insert(session, EvidenceFile)
        .values(
            digest=digest,
            size_bytes=size_bytes,
            media_type=media_type,
            kind=kind,
            uploaded_by=uploaded_by,
            uploaded_at=utcnow(),
            original_name=original_name,
            has_public_copy=has_public_copy,
        )
        .on_conflict_do_nothing(index_elements=[col(EvidenceFile.digest)])
        .returning(col(EvidenceFile.digest))
    )
    created = bool(execute_write(session, statement))
    stored = session.exec(
        select(EvidenceFile).where(EvidenceFile.digest == digest).execution_options(populate_existing=True)
    ).one()
    return stored, created


def name_files(*, session: Session, digests: Sequence[str], at: datetime | None = None) -> list[str]:
    """Mark the stored files among `digests` as named by a step now; the ones not stored."""
    if not digests:
        return []
    stored = set(session.exec(select(EvidenceFile.digest).where(col(EvidenceFile.digest).in_(digests))).all())
    if stored:
        session.execute(
            update(EvidenceFile)
            .where(col(EvidenceFile.digest).in_(stored))
            .values(last_named_at=at or utcnow())
        )
        session.commit()
    return [digest for digest in digests if digest not in stored]


def record_refs(*, session: Session, subject_id: str, refs: Iterable[dict[str, Any]]) -> None:
    """Each (digest, seq, action, signer_id) naming a file in the subject's trail, once."""
    rows = [{"subject_id": subject_id, "recorded_at": utcnow(), **ref} for ref in refs]
    if not rows:
        return
    statement = dialect_insert(session, EvidenceRef).on_conflict_do_nothing(
        index_elements=[col(EvidenceRef.digest), col(EvidenceRef.subject_id), col(EvidenceRef.seq)]
    )
    session.execute(statement, rows)
    session.commit()


def subjects_naming(*, session: Session, digest: str) -> list[str]:
    """The escrows and cases whose trails name the file."""
    statement = select(EvidenceRef.subject_id).where(EvidenceRef.digest == digest).distinct()
    return list(session.exec(statement).all())


def _sweepable(cutoff: datetime) -> Any:
    """No trail names the file, and it was uploaded and last named (if ever) before `cutoff`."""
    return (
        ~exists().where(col(EvidenceRef.digest) == col(EvidenceFile.digest)),
        col(EvidenceFile.uploaded_at) < cutoff,
        or_(col(EvidenceFile.last_named_at).is_(None), col(EvidenceFile.last_named_at) < cutoff),
    )


def unreferenced_before(*, session: Session, cutoff: datetime, limit: int = 500) -> list[str]:
    """The files the sweep may delete, oldest first."""
    statement = (
        select(EvidenceFile.digest)
        .where(*_sweepable(cutoff))
        .order_by(col(EvidenceFile.uploaded_at))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def forget_if_unreferenced(*, session: Session, digest: str, cutoff: datetime) -> bool:
    """Delete the file's row if it is still sweepable; whether it was. The row goes before the
    bytes: a step naming the file from then on is refused (`file_not_uploaded`) rather than
    signed over bytes about to vanish."""
    statement = (
        delete(EvidenceFile)
        .where(col(EvidenceFile.digest) == digest, *_sweepable(cutoff))
        .returning(col(EvidenceFile.digest))
    )
    deleted = session.execute(statement).first() is not None
    session.commit()
    return deleted
