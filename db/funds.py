"""Keyword-only helpers over the fund read model (`fund_projection`), for the API and activities.

Conventions as in db/cases.py: the upsert compares versions inside the statement, so a retried or
late projection never moves a fund backwards, and commits; reads never commit. A fund's trail and
alerts are stored by crud.append_audit_entries and crud.raise_alert under the fund id.
"""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from db.crud import dialect_insert, execute_write
from db.models import FundProjection, utcnow
from domain.fund.snapshot import FundSnapshot, fund_snapshot_json, read_fund_summary
from workflows.fund_types import fund_workflow_id


def upsert_fund_projection(*, session: Session, version: int, snapshot: FundSnapshot) -> bool:
    """Store the fund's state unless a newer or equal version is already stored; whether it was."""
    ledger = snapshot.ledger
    values = {
        "fund_id": snapshot.fund_id,
        "workflow_id": fund_workflow_id(snapshot.fund_id),
        "business_id": snapshot.business_id,
        "status": snapshot.status.value,
        "pledged_fen": snapshot.pledged_fen,
        "deposited_fen": ledger.deposited_fen,
        "advanced_fen": ledger.advanced_fen,
        "withdrawn_fen": ledger.withdrawn_fen,
        "owed_fen": ledger.owed_fen,
        "held_fen": ledger.held_fen,
        "version": version,
        "summary_json": fund_snapshot_json(snapshot),
        "opened_at": snapshot.opened_at,
        "updated_at": utcnow(),
    }
    insert = dialect_insert(session, FundProjection).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[FundProjection.fund_id],
        set_={name: insert.excluded[name] for name in values if name != "fund_id"},
        where=col(FundProjection.version) < insert.excluded.version,
    ).returning(FundProjection.fund_id)
    return bool(execute_write(session, statement))


def get_fund(*, session: Session, fund_id: str) -> FundProjection | None:
    return session.get(FundProjection, fund_id, populate_existing=True)


def fund_snapshot(row: FundProjection) -> FundSnapshot:
    return read_fund_summary(row.summary_json)


def list_funds(*, session: Session) -> list[FundProjection]:
    """Every fund, those owing most first, then by business."""
    statement = select(FundProjection).order_by(
        col(FundProjection.owed_fen).desc(), col(FundProjection.business_id)
    )
    return list(session.exec(statement.execution_options(populate_existing=True)).all())


def funds_of(*, session: Session, business_ids: Sequence[str]) -> dict[str, FundProjection]:
    """The funds of these businesses, by business id (for the public marks)."""
    if not business_ids:
        return {}
    statement = select(FundProjection).where(col(FundProjection.business_id).in_(list(business_ids)))
    return {row.business_id: row for row in session.exec(statement.execution_options(populate_existing=True))}
