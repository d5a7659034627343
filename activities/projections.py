"""Projection activity: copies the workflow's state into the read model and audit log.

Idempotent by (escrow, version) and (escrow, seq): a retried or late projection
never moves the read model backwards.
"""

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.types import ProjectionInput
from db import crud
from domain.canonical import canonical_json


class ProjectionActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def project_escrow(self, input: ProjectionInput) -> None:
        snapshot = input.snapshot
        ledger = snapshot["ledger"]
        with Session(self._engine) as session:
            crud.upsert_escrow_projection(
                session=session,
                escrow_id=input.escrow_id,
                version=input.version,
                workflow_id=f"escrow-{input.escrow_id}",
                owner_id=snapshot["owner_id"],
                contractor_id=snapshot["contractor_id"],
                inspector_id=snapshot["inspector_id"],
                status=snapshot["phase"],
                current_stage=snapshot["current_stage"],
                total_fen=snapshot["contract_total_fen"],
                deposited_fen=ledger["deposited_fen"],
                released_fen=ledger["released_fen"],
                refunded_fen=ledger["refunded_fen"],
                held_fen=ledger["held_fen"],
                summary=snapshot,
            )
            crud.append_audit_entries(
                session=session,
                escrow_id=input.escrow_id,
                entries=[audit_row(entry) for entry in input.audit_entries],
            )
            for alert in input.alerts:
                crud.raise_alert(
                    session=session,
                    escrow_id=input.escrow_id,
                    kind=alert["kind"],
                    message=alert["message"],
                    business_key=alert["business_key"],
                )


def audit_row(entry: dict) -> dict:
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
