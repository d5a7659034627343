"""Projection activities: copy a workflow's state into the read model and audit log.

Idempotent by (subject, version) and (subject, seq): a retried or late projection
never moves the read model backwards. Each projection is one transaction: the read
model, the audit log and the milestones move together. Once it committed, the subject's
notifier workflow is told the snapshot's news (notify/events.py; workflows/notifier.py): a
retried projection tells it again, and the notifier ignores a version it has seen. Escrows and
dispute cases share the audit and alert tables, whose `escrow_id` column names the subject (an
escrow or a case id).
"""

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.notifier import NotifierLink
from activities.types import CaseProjectionInput, FundProjectionInput, ProjectionInput
from db import cases, crud, evidence, funds
from db.engine import single_transaction
from domain.alert_codes import AlertCode
from domain.audit import files_of_step
from domain.canonical import canonical_json
from domain.case.snapshot import case_snapshot_json
from domain.escrow.snapshot import summary_document
from notify.events import SubjectNews, case_news, escrow_news, fund_news
from public_record.milestones import case_milestones, escrow_milestones
from public_record.store import record_milestones
from workflows.case_types import case_workflow_id


class ProjectionActivities:
    """`notifier`: where the notifiers are told; None on a worker that runs no notifier (a test's
    worker for workflows that tell nobody anything)."""

    def __init__(self, engine: Engine, notifier: NotifierLink | None = None) -> None:
        self._engine = engine
        self._notifier = notifier

    @activity.defn
    async def project_escrow(self, input: ProjectionInput) -> None:
        await asyncio.to_thread(self.store_escrow, input)
        await self._tell(escrow_news(input.snapshot))

    @activity.defn
    async def project_case(self, input: CaseProjectionInput) -> None:
        """Project a dispute case: its read-model row, then its new trail entries and alerts.

        The trail goes to `audit_entry` and the alerts to `council_alert`, the tables the
        escrows use: their `escrow_id` column holds the subject id, here the case id.
        """
        await asyncio.to_thread(self.store_case, input)
        await self._tell(case_news(input.snapshot))

    @activity.defn
    async def project_fund(self, input: FundProjectionInput) -> None:
        """A fund's read-model row, trail and alerts (under the fund id), in one transaction; then its
        notifier is told of advances paid."""
        await asyncio.to_thread(self.store_fund, input)
        await self._tell(fund_news(input.snapshot))

    async def _tell(self, news: SubjectNews) -> None:
        if self._notifier is not None:
            await self._notifier.tell(news)

    def store_escrow(self, input: ProjectionInput) -> None:
        snapshot = input.snapshot
        ledger = snapshot.ledger
        with single_transaction(self._engine) as session:
            crud.upsert_escrow_projection(
                session=session,
                escrow_id=input.escrow_id,
                version=input.version,
                workflow_id=f"escrow-{input.escrow_id}",
                owner_id=snapshot.owner_id,
                contractor_id=snapshot.contractor_id,
                inspector_id=snapshot.inspector_id,
                status=snapshot.phase.value,
                current_stage=snapshot.current_stage,
                total_fen=snapshot.contract_total_fen,
                deposited_fen=ledger.deposited_fen,
                released_fen=ledger.released_fen,
                refunded_fen=ledger.refunded_fen,
                held_fen=ledger.held_fen,
                summary=summary_document(snapshot),
            )
            record_trail_and_alerts(session, input.escrow_id, input.audit_entries, input.alerts)
            if input.projected_at is not None:
                at = datetime.fromisoformat(input.projected_at)
                record_milestones(
                    session=session, subject_id=input.escrow_id, keys=escrow_milestones(snapshot), at=at
                )

    def store_case(self, input: CaseProjectionInput) -> None:
        snapshot = input.snapshot
        outcome = snapshot.outcome
        with single_transaction(self._engine) as session:
            cases.upsert_case_projection(
                session=session,
                case_id=input.case_id,
                version=input.version,
                workflow_id=case_workflow_id(input.case_id),
                domain=snapshot.domain,
                main_specialty=input.main_specialty,
                claimant_id=snapshot.claimant_id,
                respondent_id=snapshot.respondent_id,
                escrow_id=snapshot.escrow_id,
                phase=snapshot.phase.value,
                disputed_fen=snapshot.disputed_fen,
                outcome=outcome.outcome if outcome else None,
                pay_fen=outcome.pay_fen if outcome else None,
                refund_fen=outcome.refund_fen if outcome else None,
                remedy=outcome.remedy if outcome else None,
                noncompliant=snapshot.noncompliant,
                filed_at=snapshot.filed_at,
                summary=case_snapshot_json(snapshot),
            )
            record_trail_and_alerts(session, input.case_id, input.audit_entries, input.alerts)
            if input.projected_at is not None:
                at = datetime.fromisoformat(input.projected_at)
                record_milestones(
                    session=session, subject_id=input.case_id, keys=case_milestones(snapshot), at=at
                )

    def store_fund(self, input: FundProjectionInput) -> None:
        with single_transaction(self._engine) as session:
            funds.upsert_fund_projection(session=session, version=input.version, snapshot=input.snapshot)
            record_trail_and_alerts(session, input.fund_id, input.audit_entries, input.alerts)


def audit_row(entry: dict[str, Any]) -> dict[str, Any]:
    """The trail entry as the audit table keeps it: the envelope byte-for-byte as signed."""
    return {
        "seq": entry["seq"],
        "action": entry["action"],
        "signer_id": entry["signer"],
        "signer_role": entry["signer_role"],
        "entry_hash": entry["entry_hash"],
        "prev_hash": entry["prev_hash"],
        "envelope_json": canonical_json(entry["envelope"]).decode(),
        "signature": entry["signature"],
    }


def evidence_refs(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files each trail entry's payload names (read through its step's declaration), as
    `evidence_ref` rows: who may read a file follows from the escrows and cases naming it."""
    return [
        {"digest": digest, "seq": entry["seq"], "action": entry["action"], "signer_id": entry["signer"]}
        for entry in entries
        for digest in files_of_step(entry["action"], entry["envelope"].get("payload"))
    ]


def record_trail_and_alerts(
    session: Session,
    subject_id: str,
    entries: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
) -> None:
    """New signed steps into the audit log (with the evidence files they name) and new alerts
    for the council, all idempotent."""
    crud.append_audit_entries(session=session, subject_id=subject_id, entries=[audit_row(e) for e in entries])
    evidence.record_refs(session=session, subject_id=subject_id, refs=evidence_refs(entries))
    for alert in alerts:
        crud.raise_alert(
            session=session,
            subject_id=subject_id,
            kind=alert["kind"],
            # a projection scheduled before the codes carries the English sentence instead
            code=AlertCode(alert["code"]) if "code" in alert else AlertCode.LEGACY,
            params=alert["params"] if "code" in alert else {"text": alert.get("message", "")},
            business_key=alert["business_key"],
        )
