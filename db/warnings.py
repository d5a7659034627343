"""Consumer warnings as stored (the db.crud conventions: writes commit). The rule is in
public_record/warnings.py; this module keeps the rows and moves a warning's state once."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.crud import next_id
from db.models import ConsumerWarning, WarningSignature
from domain.canonical import canonical_json
from domain.steps.signing import SignedStep

DRAFT, PUBLISHED, WITHDRAWN, DISCARDED = "draft", "published", "withdrawn", "discarded"
PUBLIC_STATES = (PUBLISHED, WITHDRAWN)
LIVE_STATES = (DRAFT, *PUBLIC_STATES)  # the council's list; a discarded draft is asked for by name


class AlreadySigned(Exception):
    """This member signed this warning's publication (or withdrawal) already."""


def create(*, session: Session, warning: ConsumerWarning, year: int) -> ConsumerWarning:
    warning.id = next_id(session=session, prefix="WRN", year=year)
    session.add(warning)
    session.commit()
    session.refresh(warning)
    return warning


def get(*, session: Session, warning_id: str) -> ConsumerWarning | None:
    return session.get(ConsumerWarning, warning_id, populate_existing=True)


def listed(*, session: Session, states: Sequence[str], limit: int = 200) -> list[ConsumerWarning]:
    """Warnings in `states`, newest first (by publication, then by drafting)."""
    statement = (
        select(ConsumerWarning)
        .where(col(ConsumerWarning.state).in_(states))
        .order_by(
            col(ConsumerWarning.published_at).desc().nulls_last(), col(ConsumerWarning.created_at).desc()
        )
        .limit(limit)
    )
    return list(session.exec(statement).all())


def signatures(*, session: Session, warning_id: str) -> list[WarningSignature]:
    statement = (
        select(WarningSignature)
        .where(WarningSignature.warning_id == warning_id)
        .order_by(col(WarningSignature.signed_at), col(WarningSignature.id))
    )
    return list(session.exec(statement).all())


def signers(*, session: Session, warning_id: str, purpose: str) -> list[str]:
    return [s.member_id for s in signatures(session=session, warning_id=warning_id) if s.purpose == purpose]


def sign(
    *, session: Session, warning_id: str, purpose: str, member_id: str, step: SignedStep, at: datetime
) -> None:
    """Record one member's signature; AlreadySigned when this member signed this purpose before
    (the unique constraint decides, so two requests at once cannot both count)."""
    session.add(
        WarningSignature(
            warning_id=warning_id,
            purpose=purpose,
            member_id=member_id,
            envelope=canonical_json(step.envelope).decode(),
            signature=step.signature,
            signed_at=at,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadySigned(member_id) from None


def move(*, session: Session, warning_id: str, from_state: str, values: dict[str, Any]) -> ConsumerWarning:
    """Set `values` if the warning is still in `from_state` (the first of two racing second
    signatures moves it; the other finds it moved and changes nothing)."""
    session.execute(
        update(ConsumerWarning)
        .where(col(ConsumerWarning.id) == warning_id, col(ConsumerWarning.state) == from_state)
        .values(**values)
    )
    session.commit()
    row = get(session=session, warning_id=warning_id)
    assert row is not None
    return row


def business_ids(row: ConsumerWarning) -> list[str]:
    ids: list[str] = json.loads(row.business_ids)
    return ids


def spike(row: ConsumerWarning) -> dict[str, Any] | None:
    figures: dict[str, Any] | None = json.loads(row.spike_json) if row.spike_json else None
    return figures
