"""The thin database layer of the public record: read the facts, keep published lists.

Keyword-only helpers in the style of db/crud.py. Reads go over the whole read model in a
handful of queries (one per table), which is what a quarterly publication needs; see
bench/publish.py for how long that takes at size.
"""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert
from sqlmodel import Session, col, select

from db import crud
from db.crud import dialect_insert, execute_write, insert_for, reused_statement, table_of
from db.models import (
    AuditEntry,
    CaseProjection,
    EscrowProjection,
    EvidenceFile,
    EvidenceRef,
    Party,
    ProjectionMilestone,
    PublishedList,
    PublishedNotice,
    utcnow,
)
from domain.alert_codes import AlertCode
from domain.case.snapshot import read_case_snapshot
from domain.escrow.snapshot import read_summary
from public_record.alerts import SpikeAlert, spikes
from public_record.complaints import all_disputes
from public_record.facts import CaseFacts, EscrowFacts, History
from public_record.milestones import stage_of_release
from public_record.periods import Month, Quarter
from public_record.quarterly import list_document, quarterly_list
from public_record.ratings import frozen_ratings

KEEP_FOR = timedelta(days=365)
STAGE_STEPS = ("inspection.report", "stage.accept", "stage.accept_partial")


def record_milestones(*, session: Session, subject_id: str, keys: Iterable[str], at: datetime) -> int:
    """Store the first moment each key was seen; keys already stored keep their moment."""
    rows = [{"subject_id": subject_id, "key": key, "at": at} for key in keys]
    if not rows:
        return 0
    return len(execute_write(session, _milestone_insert(session), rows))


@reused_statement
def _milestone_insert(dialect: str) -> Insert:
    return (
        insert_for(dialect, table_of(ProjectionMilestone))
        .on_conflict_do_nothing()
        .returning(col(ProjectionMilestone.key))
    )


def load_history(*, session: Session) -> History:
    milestones: dict[str, dict[str, datetime]] = {}
    for row in session.exec(select(ProjectionMilestone)).all():
        milestones.setdefault(row.subject_id, {})[row.key] = row.at
    steps: dict[str, list[AuditEntry]] = {}
    statement = (
        select(AuditEntry)
        .where(col(AuditEntry.action).in_(STAGE_STEPS))
        .order_by(col(AuditEntry.subject_id), col(AuditEntry.seq))
    )
    for entry in session.exec(statement).all():
        steps.setdefault(entry.subject_id, []).append(entry)
    escrows = [
        _escrow_facts(row, steps.get(row.escrow_id, []), milestones.get(row.escrow_id, {}))
        for row in session.exec(select(EscrowProjection).order_by(col(EscrowProjection.escrow_id))).all()
    ]
    cases = [
        CaseFacts(
            case_id=row.case_id,
            domain=row.domain,
            main_specialty=row.main_specialty,
            claimant_id=row.claimant_id,
            respondent_id=row.respondent_id,
            escrow_id=row.escrow_id,
            phase=row.phase,
            snapshot=read_case_snapshot(row.summary_json),
            filed_at=row.filed_at,
            concluded_at=milestones.get(row.case_id, {}).get("concluded"),
        )
        for row in session.exec(select(CaseProjection).order_by(col(CaseProjection.case_id))).all()
    ]
    rows = session.exec(select(Party)).all()
    parties = {p.id: (p.role, p.display_name, p.address) for p in rows}
    licences = {
        p.id: (p.legal_name, p.credit_code)
        for p in rows
        if p.verified_at is not None and p.legal_name and p.credit_code
    }
    return History(
        escrows=escrows,
        cases=cases,
        parties=parties,
        file_kinds=_named_file_kinds(session),
        licences=licences,
    )


def _named_file_kinds(session: Session) -> dict[str, str]:
    """The kind of every file a case's trail names (a published decision counts its evidence by kind)."""
    cases = select(CaseProjection.case_id)
    named = select(EvidenceRef.digest).where(col(EvidenceRef.subject_id).in_(cases))
    statement = select(EvidenceFile.digest, EvidenceFile.kind).where(col(EvidenceFile.digest).in_(named))
    return dict(session.exec(statement).all())


def _escrow_facts(row: EscrowProjection, steps: list[AuditEntry], marks: dict[str, datetime]) -> EscrowFacts:
    facts = EscrowFacts(
        escrow_id=row.escrow_id,
        owner_id=row.owner_id,
        contractor_id=row.contractor_id,
        inspector_id=row.inspector_id,
        snapshot=read_summary(row.summary_json),
    )
    for entry in steps:
        envelope = json.loads(entry.envelope_json)
        stage = envelope["payload"]["stage"]
        if entry.action == "inspection.report":
            facts.reports.setdefault(stage, []).append(envelope["payload"]["result"])
        else:
            facts.accepted_at.setdefault(stage, datetime.fromisoformat(envelope["timestamp"]))
    for key, at in marks.items():
        if (stage := stage_of_release(key)) is not None:
            facts.released_at[stage] = at
        elif key.startswith("dispute-") and key.endswith(":closed"):
            facts.dispute_closed_at[int(key.split(":")[0].removeprefix("dispute-"))] = at
    return facts


def publish(
    *, session: Session, quarter: Quarter, now: datetime | None = None
) -> tuple[dict[str, Any], bool]:
    """Freeze the quarter's list, or return the list already published; (document, newly published).

    A quarter is published once: a list the public has seen never changes under it. It is
    kept (served) for one year from publication.
    """
    existing = session.get(PublishedList, str(quarter), populate_existing=True)
    if existing is not None:
        return json.loads(existing.document_json), False
    published_at = now or utcnow()
    history = load_history(session=session)
    complaints = all_disputes(history)
    rows = quarterly_list(history, complaints, quarter)
    in_quarter = sum(1 for c in complaints if c.is_complaint and Quarter.of(c.filed_at) == quarter)
    document = list_document(
        quarter,
        rows,
        published_at=published_at,
        expires_at=published_at + KEEP_FOR,
        complaints_in_quarter=in_quarter,
        ratings=frozen_ratings(history, complaints),
    )
    statement = (
        dialect_insert(session, PublishedList)
        .values(
            quarter=str(quarter),
            published_at=published_at,
            expires_at=published_at + KEEP_FOR,
            document_json=json.dumps(document, ensure_ascii=False, sort_keys=True),
        )
        .on_conflict_do_nothing()
        .returning(PublishedList.quarter)
    )
    if not execute_write(session, statement):  # published by someone else meanwhile: theirs stands
        return publish(session=session, quarter=quarter)
    return document, True


def get_published(*, session: Session, quarter: Quarter) -> PublishedList | None:
    return session.get(PublishedList, str(quarter), populate_existing=True)


def keep_notices(
    *, session: Session, quarter: Quarter, notices: dict[str, bytes], now: datetime | None = None
) -> list[str]:
    """Store each district's notice of a published list, unless that district's is kept already (a
    notice on a board never changes under it either); returns the districts newly stored."""
    rows = [
        {"quarter": str(quarter), "district": district, "made_at": now or utcnow(), "pdf": pdf}
        for district, pdf in sorted(notices.items())
    ]
    if not rows:
        return []
    statement = (
        dialect_insert(session, PublishedNotice).on_conflict_do_nothing().returning(PublishedNotice.district)
    )
    return sorted(execute_write(session, statement, rows))


def notice_districts(*, session: Session, quarter: Quarter) -> list[str]:
    statement = (
        select(PublishedNotice.district)
        .where(PublishedNotice.quarter == str(quarter))
        .order_by(col(PublishedNotice.district))
    )
    return list(session.exec(statement).all())


def get_notice(*, session: Session, quarter: Quarter, district: str) -> PublishedNotice | None:
    return session.get(PublishedNotice, (str(quarter), district))


def list_published(*, session: Session, now: datetime | None = None) -> list[PublishedList]:
    """Lists still being served, newest quarter first."""
    statement = (
        select(PublishedList)
        .where(PublishedList.expires_at > (now or utcnow()))
        .order_by(col(PublishedList.quarter).desc())
    )
    return list(session.exec(statement).all())


def raise_spike_alerts(*, session: Session, alerts: Iterable[SpikeAlert]) -> int:
    """Put spikes in the council's alert list (kind `complaint_spike`), once per subject and month."""
    raised = 0
    for alert in alerts:
        raised += crud.raise_alert(
            session=session,
            subject_id=alert.key,
            code=AlertCode.COMPLAINT_SPIKE,
            params=alert.params,
            business_key=alert.business_key,
        )
    return raised


def check_quarter_alerts(*, session: Session, quarter: Quarter) -> list[SpikeAlert]:
    """The spikes of each month of the quarter, raised for the council; returns them all."""
    history = load_history(session=session)
    complaints = all_disputes(history)
    labels = {party_id: history.business(party_id).name for party_id in history.parties}
    month = Month.of(quarter.starts_at)
    found: list[SpikeAlert] = []
    for _ in range(3):
        found += spikes(complaints, month, labels)
        month = month.next()
    raise_spike_alerts(session=session, alerts=found)
    return found
