"""Small builders so each test states only the values it is about."""

import base64
import secrets
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from db import crud
from db.models import Party


def make_public_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


TOKEN_LIFETIME = timedelta(days=90)


def make_party(session: Session, role: str = "owner", name: str = "Li Wei") -> Party:
    party, _token = crud.create_party(
        session=session,
        role=role,
        display_name=name,
        public_key=make_public_key(),
        token_lifetime=TOKEN_LIFETIME,
    )
    return party


def projection(
    escrow_id: str, version: int, owner: Party, contractor: Party, **overrides: Any
) -> dict[str, Any]:
    """Keyword arguments for upsert_escrow_projection: a funded escrow, nothing released."""
    fields: dict[str, Any] = {
        "escrow_id": escrow_id,
        "version": version,
        "workflow_id": f"escrow-{escrow_id}",
        "owner_id": owner.id,
        "contractor_id": contractor.id,
        "inspector_id": None,
        "status": "funded",
        "current_stage": 1,
        "total_fen": 10_000_000,
        "deposited_fen": 10_000_000,
        "released_fen": 0,
        "refunded_fen": 0,
        "held_fen": 10_000_000,
        "summary": {"escrow_id": escrow_id, "version": version},
    }
    fields.update(overrides)
    return fields


def entry(seq: int, **overrides: Any) -> dict[str, Any]:
    fields = {
        "seq": seq,
        "action": "accept_stage",
        "signer_id": "P-OWNER00000",
        "signer_role": "owner",
        "entry_hash": f"hash-{seq}",
        "prev_hash": f"hash-{seq - 1}" if seq > 1 else None,
        "envelope_json": f'{{"action":"accept_stage","seq":{seq}}}',
        "signature": f"sig-{seq}",
    }
    fields.update(overrides)
    return fields
