"""Keyword-only helpers over the case read model (`case_projection`), for the API and activities.

Conventions as in db/crud.py: the upsert is one INSERT ... ON CONFLICT whose
version comparison happens inside the statement, so retried and out-of-order
projections never move a case backwards, and it commits before it returns;
reads never commit and reload rows the session already holds (the upsert
bypasses the identity map). A case's audit trail and alerts are stored by
crud.append_audit_entries and crud.raise_alert under the case id.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from db.crud import dialect_insert, execute_write
from db.models import CaseProjection, utcnow

FINISHED_PHASES = ("closed", "rejected")


def upsert_case_projection(
    *,
    session: Session,
    case_id: str,
    version: int,
    workflow_id: str,
    domain: str,
    main_specialty: str | None = None,
    claimant_id: str,
    respondent_id: str,
    escrow_id: str | None,
    phase: str,
    disputed_fen: int,
    outcome: str | None,
    pay_fen: int | None,
    refund_fen: int | None,
    remedy: str | None,
    noncompliant: bool,
    filed_at: datetime,
    summary: Mapping[str, Any],
) -> bool:
    """Store the case's state unless a newer or equal version is already stored; returns whether it was."""
    for name, value in {"disputed_fen": disputed_fen, "pay_fen": pay_fen, "refund_fen": refund_fen}.items():
        if value is not None and type(value) is not int:
            raise TypeError(f"{name} must be an int amount in fen, got {type(value).__name__}")
    values = {
        "case_id": case_id,
        "version": version,
        "workflow_id": workflow_id,
        "domain": domain,
        "main_specialty": main_specialty,
        "claimant_id": claimant_id,
        "respondent_id": respondent_id,
        "escrow_id": escrow_id,
        "phase": phase,
        "disputed_fen": disputed_fen,
        "outcome": outcome,
        "pay_fen": pay_fen,
        "refund_fen": refund_fen,
        "remedy": remedy,
        "noncompliant": noncompliant,
        "summary_json": json.dumps(summary, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "filed_at": filed_at,
        "updated_at": utcnow(),
    }
    insert = dialect_insert(session, CaseProjection).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[CaseProjection.case_id],
        set_={name: insert.excluded[name] for name in values if name != "case_id"},
        where=col(CaseProjection.version) < insert.excluded.version,
    ).returning(CaseProjection.case_id)
    return bool(execute_write(session, statement))


def get_case_projection(*, session: Session, case_id: str) -> CaseProjection | None:
    return session.get(CaseProjection, case_id, populate_existing=True)


def list_cases(
    *,
    session: Session,
    party_id: str | None = None,
    phase: str | None = None,
    domain: str | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[CaseProjection]:
    """Cases newest filed first; `party_id` keeps those where the party is claimant or respondent,
    `open_only` those not yet closed or rejected."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset non-negative")
    statement = select(CaseProjection)
    if party_id is not None:
        statement = statement.where(
            or_(col(CaseProjection.claimant_id) == party_id, col(CaseProjection.respondent_id) == party_id)
        )
    if phase is not None:
        statement = statement.where(CaseProjection.phase == phase)
    if domain is not None:
        statement = statement.where(CaseProjection.domain == domain)
    if open_only:
        statement = statement.where(col(CaseProjection.phase).not_in(FINISHED_PHASES))
    statement = (
        statement.order_by(col(CaseProjection.filed_at).desc(), col(CaseProjection.case_id).desc())
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement).all())


def list_open_cases_naming(*, session: Session, party_id: str, limit: int = 200) -> list[CaseProjection]:
    """Open cases whose stored snapshot names this party anywhere, e.g. on a panel seat.

    A pre-filter only (a text match on the snapshot, which has no indexed column for the
    panel): the caller reads the snapshot to see what the party actually is in each case.
    """
    needle = json.dumps({"party_id": party_id}, ensure_ascii=False, separators=(",", ":"))[1:-1]
    statement = (
        select(CaseProjection)
        .where(col(CaseProjection.phase).not_in(FINISHED_PHASES))
        .where(col(CaseProjection.summary_json).contains(needle, autoescape=True))
        .order_by(col(CaseProjection.filed_at).desc(), col(CaseProjection.case_id).desc())
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement).all())
