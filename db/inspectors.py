"""Keyword-only helpers over the council's list of accredited inspectors.

Writes take the pure `Accreditation` of expert_panels.inspectors, whose construction
is the validation, so nothing unvalidated is stored; reads hand back
`StoredAccreditation`: that pure model plus the inspector's display name and the
record's timestamps. Table rows never leave this module. Specialties and
affiliations are kept as canonical JSON in the row: they are read with the
accreditation, never queried on their own.

Transaction convention as in db/crud.py: a helper that writes commits before it
returns and rolls back if it raises; read helpers never commit. Accreditations are
never deleted: a deactivated one stays listed with its reason.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.experts import UNSET, _given, _Unset, locked_row, new_registry_id
from db.models import InspectorAccreditationRecord, Party, utcnow
from domain.roles import Role
from expert_panels.inspectors import Accreditation
from expert_panels.registry import affiliation_from_document, affiliations_document

ACCREDITATION_ID_PREFIX = "ACC-"
REASON_MAX_LENGTH = 500


class AccreditationNotFoundError(LookupError):
    """No accreditation with this id."""


class NotAnInspectorPartyError(ValueError):
    """An accreditation must name a registered party with role inspector."""


class AlreadyAccreditedError(ValueError):
    """The party already holds an accreditation that is not deactivated."""


class AccreditationDeactivatedError(ValueError):
    """A deactivated accreditation is kept as it was; the council grants a new one instead."""


@dataclass(frozen=True)
class StoredAccreditation:
    accreditation: Accreditation
    inspector_name: str
    deactivated_at: datetime | None
    created_at: datetime
    updated_at: datetime


def new_accreditation_id() -> str:
    return new_registry_id(ACCREDITATION_ID_PREFIX)


# ------------------------------------------------------------------ reads
def _pure(record: InspectorAccreditationRecord) -> Accreditation:
    return Accreditation(
        accreditation_id=record.accreditation_id,
        party_id=record.party_id,
        specialties=json.loads(record.specialties_json),
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        affiliations=[affiliation_from_document(a) for a in json.loads(record.affiliations_json)],
        deactivation_reason=record.deactivation_reason,
    )


def _stored(record: InspectorAccreditationRecord, name: str) -> StoredAccreditation:
    return StoredAccreditation(
        accreditation=_pure(record),
        inspector_name=name,
        deactivated_at=record.deactivated_at,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _with_names(statement: Any) -> Any:
    return statement.join(
        Party, col(InspectorAccreditationRecord.party_id) == col(Party.id)
    ).execution_options(populate_existing=True)


def get_accreditation(*, session: Session, accreditation_id: str) -> StoredAccreditation | None:
    statement = _with_names(
        select(InspectorAccreditationRecord, Party.display_name).where(
            InspectorAccreditationRecord.accreditation_id == accreditation_id
        )
    )
    row = session.exec(statement).first()
    return None if row is None else _stored(*row)


def accreditations_of(*, session: Session, party_id: str) -> list[Accreditation]:
    """Every accreditation the party ever held, oldest first: what eligibility is judged from."""
    statement = (
        select(InspectorAccreditationRecord)
        .where(InspectorAccreditationRecord.party_id == party_id)
        .order_by(
            col(InspectorAccreditationRecord.created_at), col(InspectorAccreditationRecord.accreditation_id)
        )
    )
    return [_pure(record) for record in session.exec(statement)]


def list_accreditations(
    *,
    session: Session,
    party_id: str | None = None,
    in_force_on: date | None = None,
    deactivated: bool | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredAccreditation], int]:
    """Accreditations matching every filter given, ordered by id, and how many match in all.

    `in_force_on`: not deactivated and valid on that day (the public list). `q` matches a
    substring of the inspector's display name, ignoring case; `%` and `_` in it are literal.
    """
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset non-negative")
    record = InspectorAccreditationRecord
    conditions: list[Any] = []
    if party_id is not None:
        conditions.append(record.party_id == party_id)
    if in_force_on is not None:
        conditions += [
            col(record.deactivation_reason).is_(None),
            col(record.valid_from) <= in_force_on,
            col(record.valid_until) >= in_force_on,
        ]
    if deactivated is not None:
        reason = col(record.deactivation_reason)
        conditions.append(reason.is_not(None) if deactivated else reason.is_(None))
    if q:
        conditions.append(col(Party.display_name).icontains(q, autoescape=True))
    total = session.exec(_with_names(select(func.count()).select_from(record)).where(*conditions)).one()
    statement = (
        _with_names(select(record, Party.display_name))
        .where(*conditions)
        .order_by(col(record.accreditation_id))
        .limit(limit)
        .offset(offset)
    )
    return [_stored(*row) for row in session.exec(statement)], total


def check_inspector_party(*, session: Session, party_id: str) -> Party:
    party = session.get(Party, party_id)
    if party is None or party.role != Role.INSPECTOR.value:
        raise NotAnInspectorPartyError(f"{party_id} is not a registered party with role inspector")
    return party


# ----------------------------------------------------------------- writes
def _write(record: InspectorAccreditationRecord, accreditation: Accreditation) -> None:
    record.specialties_json = json.dumps(sorted(accreditation.specialties))
    record.affiliations_json = json.dumps(affiliations_document(accreditation.affiliations))
    record.valid_from = accreditation.valid_from
    record.valid_until = accreditation.valid_until


def create_accreditation(*, session: Session, accreditation: Accreditation) -> StoredAccreditation:
    """Store a new accreditation. Raises NotAnInspectorPartyError, AlreadyAccreditedError (the
    party holds one that is not deactivated, or the id is taken), storing nothing."""
    try:
        party = check_inspector_party(session=session, party_id=accreditation.party_id)
        if session.get(InspectorAccreditationRecord, accreditation.accreditation_id) is not None:
            raise AlreadyAccreditedError(f"accreditation {accreditation.accreditation_id} already exists")
        now = utcnow()
        record = InspectorAccreditationRecord(
            accreditation_id=accreditation.accreditation_id,
            party_id=party.id,
            current_party_id=party.id,
            specialties_json="[]",
            affiliations_json="[]",
            valid_from=accreditation.valid_from,
            valid_until=accreditation.valid_until,
            created_at=now,
            updated_at=now,
        )
        _write(record, accreditation)
        session.add(record)
        session.commit()
    except IntegrityError:  # the unique current_party_id: a standing accreditation exists
        session.rollback()
        raise AlreadyAccreditedError(
            f"inspector {accreditation.party_id} already holds an accreditation; "
            "update it, or deactivate it before granting a new one"
        ) from None
    except BaseException:
        session.rollback()
        raise
    return _stored(record, party.display_name)


@contextmanager
def _writing(session: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll it all back if it raises."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _locked(session: Session, accreditation_id: str) -> InspectorAccreditationRecord:
    record = locked_row(session, InspectorAccreditationRecord, accreditation_id)
    if record is None:
        raise AccreditationNotFoundError(accreditation_id)
    return record


def update_accreditation(
    *,
    session: Session,
    accreditation_id: str,
    specialties: Sequence[str] | _Unset = UNSET,
    valid_from: date | _Unset = UNSET,
    valid_until: date | _Unset = UNSET,
    affiliations: Sequence[Any] | _Unset = UNSET,
) -> StoredAccreditation:
    """Change what is given (UNSET: leave as is; `affiliations` replaces the whole list), as
    when the council renews an accreditation by moving `valid_until`. The result is validated
    as a whole before anything is written. Raises AccreditationDeactivatedError on a
    deactivated one."""
    with _writing(session):
        record = _locked(session, accreditation_id)
        current = _pure(record)
        if current.deactivated:
            raise AccreditationDeactivatedError(
                f"accreditation {accreditation_id} was deactivated; grant a new one instead"
            )
        changed = Accreditation(
            accreditation_id=current.accreditation_id,
            party_id=current.party_id,
            specialties=_given(specialties, current.specialties),
            valid_from=_given(valid_from, current.valid_from),
            valid_until=_given(valid_until, current.valid_until),
            affiliations=_given(affiliations, current.affiliations),
        )
        if changed != current:
            _write(record, changed)
            record.updated_at = utcnow()
            session.add(record)
    return _stored(record, _name(session, record.party_id))


def deactivate_accreditation(*, session: Session, accreditation_id: str, reason: str) -> StoredAccreditation:
    """Withdraw the accreditation with the council's reason; repeating it keeps the first reason."""
    with _writing(session):
        record = _locked(session, accreditation_id)
        if record.deactivation_reason is None:
            replace(_pure(record), deactivation_reason=reason)  # validates the reason
            record.deactivation_reason = reason.strip()
            record.current_party_id = None
            record.deactivated_at = record.updated_at = utcnow()
            session.add(record)
    return _stored(record, _name(session, record.party_id))


def _name(session: Session, party_id: str) -> str:
    party = session.get(Party, party_id)
    return "" if party is None else party.display_name
