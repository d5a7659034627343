"""Keyword-only helpers over the expert registry, for the API and the dispute activities.

An expert spans three tables (expert, expert_specialty, expert_affiliation); the
helpers read and write it as one thing. Writes take the pure `Expert` of
expert_panels.registry, whose construction is the validation, so nothing
unvalidated is stored; reads hand back `StoredExpert`: that pure model plus the
registry's own facts (linked party, timestamps). Table rows never leave this module.

Transaction convention as in db/crud.py: a helper that writes commits before it
returns and rolls back if it raises; read helpers never commit. Experts are never
deleted: deactivation keeps them listed (and drawn into the candidate list, where
the draw records why they are excluded).
"""

import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from sqlalchemy import delete, exists, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from db.models import (
    ExpertAffiliationRecord,
    ExpertRecord,
    ExpertSpecialtyRecord,
    PanelSeatRecord,
    Party,
    utcnow,
)
from expert_panels.registry import Affiliation, Expert, InvalidExpert, expert_document

Row = TypeVar("Row", bound=SQLModel)

EXPERT_ROLE = "expert"
EXPERT_ID_PREFIX = "EXP-"
# Ids appear in URLs and CSV files: letters, digits, '.', '_' and '-', at most 40.
EXPERT_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
NAME_MAX_LENGTH = 200
_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class ExpertNotFoundError(LookupError):
    """No expert with this id."""


class ExpertExistsError(ValueError):
    """The expert id is already in the registry."""


class NotAnExpertPartyError(ValueError):
    """A party link must name a registered party with role 'expert'."""


class PartyAlreadyLinkedError(ValueError):
    """The party already signs for another expert; one party, one expert."""


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True)
class StoredExpert:
    expert: Expert
    party_id: str | None
    created_at: datetime
    updated_at: datetime


def new_registry_id(prefix: str) -> str:
    """A fresh id like EXP-7KQ2MZ9A (32 symbols, 8 places: collisions are not a practical concern)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def new_expert_id() -> str:
    return new_registry_id(EXPERT_ID_PREFIX)


def check_registry_fields(expert: Expert) -> None:
    """What the registry adds to the pure model's rules: an id usable in URLs, a bounded name."""
    if not re.fullmatch(EXPERT_ID_PATTERN, expert.expert_id):
        raise InvalidExpert(
            "expert_id",
            "use 1 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit",
            "bad_expert_id",
        )
    if len(expert.name) > NAME_MAX_LENGTH:
        raise InvalidExpert(
            "name",
            f"must be at most {NAME_MAX_LENGTH} characters",
            "name_too_long",
            params={"maximum": NAME_MAX_LENGTH},
        )


# ------------------------------------------------------------------ reads
def _records_to_experts(session: Session, records: Sequence[ExpertRecord]) -> list[StoredExpert]:
    ids = [record.expert_id for record in records]
    specialties: dict[str, list[str]] = defaultdict(list)
    affiliations: dict[str, list[Affiliation]] = defaultdict(list)
    for start in range(0, len(ids), 500):  # keep IN lists well under every backend's limit
        chunk = ids[start : start + 500]
        for row in session.exec(
            select(ExpertSpecialtyRecord)
            .where(col(ExpertSpecialtyRecord.expert_id).in_(chunk))
            .order_by(col(ExpertSpecialtyRecord.specialty))
        ):
            specialties[row.expert_id].append(row.specialty)
        for held in session.exec(
            select(ExpertAffiliationRecord)
            .where(col(ExpertAffiliationRecord.expert_id).in_(chunk))
            .order_by(col(ExpertAffiliationRecord.id))
        ):
            affiliations[held.expert_id].append(
                Affiliation(org_id=held.org_id, kind=held.kind, start=held.start_date, end=held.end_date)
            )
    return [
        StoredExpert(
            expert=Expert(
                expert_id=record.expert_id,
                name=record.name,
                domain=record.domain,
                specialties=specialties[record.expert_id],
                affiliations=affiliations[record.expert_id],
                open_cases=record.open_cases,
                active=record.active,
            ),
            party_id=record.party_id,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )
        for record in records
    ]


def get_expert(*, session: Session, expert_id: str) -> StoredExpert | None:
    record = session.get(ExpertRecord, expert_id, populate_existing=True)
    return None if record is None else _records_to_experts(session, [record])[0]


def existing_expert_ids(*, session: Session, expert_ids: Iterable[str]) -> set[str]:
    """Which of these ids the registry already holds."""
    wanted = list(set(expert_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        statement = select(ExpertRecord.expert_id).where(
            col(ExpertRecord.expert_id).in_(wanted[start : start + 500])
        )
        found.update(session.exec(statement).all())
    return found


def list_experts(
    *,
    session: Session,
    domain: str | None = None,
    specialty: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredExpert], int]:
    """Experts matching every filter given, ordered by id, and how many match in all.

    `q` matches a substring of the name, ignoring case; `%` and `_` in it are literal.
    """
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset non-negative")
    conditions: list[Any] = []
    if domain is not None:
        conditions.append(ExpertRecord.domain == domain)
    if specialty is not None:
        conditions.append(
            exists().where(
                col(ExpertSpecialtyRecord.expert_id) == ExpertRecord.expert_id,
                col(ExpertSpecialtyRecord.specialty) == specialty,
            )
        )
    if active is not None:
        conditions.append(ExpertRecord.active == active)
    if q:
        conditions.append(col(ExpertRecord.name).icontains(q, autoescape=True))
    total = session.exec(select(func.count()).select_from(ExpertRecord).where(*conditions)).one()
    statement = (
        select(ExpertRecord)
        .where(*conditions)
        .order_by(col(ExpertRecord.expert_id))
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return _records_to_experts(session, list(session.exec(statement).all())), total


def load_candidates(*, session: Session, domain: str) -> list[Expert]:
    """Every expert of the domain, active or not, ordered by id, as pure registry objects.

    The fair draw records the candidate list and its own exclusions (inactive,
    conflicted, over the workload cap), so nothing is filtered out here.
    """
    statement = (
        select(ExpertRecord)
        .where(ExpertRecord.domain == domain)
        .order_by(col(ExpertRecord.expert_id))
        .execution_options(populate_existing=True)
    )
    return [stored.expert for stored in _records_to_experts(session, list(session.exec(statement).all()))]


def expert_party_keys(*, session: Session, expert_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """expert_id -> (party_id, public_key) for the experts linked to a party; unlinked ones are left out."""
    wanted = list(set(expert_ids))
    keys: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), 500):
        statement = (
            select(ExpertRecord.expert_id, Party.id, Party.public_key)
            .join(Party, col(ExpertRecord.party_id) == col(Party.id))
            .where(col(ExpertRecord.expert_id).in_(wanted[start : start + 500]))
        )
        for expert_id, party_id, public_key in session.exec(statement):
            keys[expert_id] = (party_id, public_key)
    return keys


def check_party_link(*, session: Session, party_id: str, expert_id: str | None = None) -> None:
    """Raise unless `party_id` is a party with role expert, linked to no expert other than `expert_id`."""
    party = session.get(Party, party_id)
    if party is None or party.role != EXPERT_ROLE:
        raise NotAnExpertPartyError(f"{party_id} is not a registered party with role expert")
    statement = select(ExpertRecord.expert_id).where(ExpertRecord.party_id == party_id)
    linked = session.exec(statement).first()
    if linked is not None and linked != expert_id:
        raise PartyAlreadyLinkedError(f"party {party_id} already signs for expert {linked}")


# ----------------------------------------------------------------- writes
def _child_rows(expert: Expert) -> list[ExpertSpecialtyRecord | ExpertAffiliationRecord]:
    rows: list[ExpertSpecialtyRecord | ExpertAffiliationRecord] = [
        ExpertSpecialtyRecord(expert_id=expert.expert_id, specialty=specialty)
        for specialty in expert.specialties
    ]
    rows.extend(
        ExpertAffiliationRecord(
            expert_id=expert.expert_id,
            org_id=a.org_id,
            kind=a.kind,
            start_date=a.start,
            end_date=a.end,
        )
        for a in expert.affiliations
    )
    return rows


def create_experts(*, session: Session, experts: Sequence[tuple[Expert, str | None]]) -> list[StoredExpert]:
    """Store (expert, party_id or None) pairs in one transaction: all of them or none.

    Each party link is checked as in `check_party_link`. Raises ExpertExistsError,
    NotAnExpertPartyError, PartyAlreadyLinkedError or InvalidExpert, storing nothing.
    """
    ids = [expert.expert_id for expert, _ in experts]
    if len(set(ids)) != len(ids):
        raise ExpertExistsError("an expert id is given twice")
    links = [party_id for _, party_id in experts if party_id is not None]
    if len(set(links)) != len(links):
        raise PartyAlreadyLinkedError("a party is linked to two experts")
    for expert, party_id in experts:
        check_registry_fields(expert)
        if party_id is not None:
            check_party_link(session=session, party_id=party_id)
    taken = existing_expert_ids(session=session, expert_ids=ids)
    if taken:
        raise ExpertExistsError(f"already in the registry: {', '.join(sorted(taken))}")
    now = utcnow()
    records = [
        ExpertRecord(
            expert_id=expert.expert_id,
            party_id=party_id,
            name=expert.name,
            domain=expert.domain,
            open_cases=expert.open_cases,
            active=expert.active,
            created_at=now,
            updated_at=now,
        )
        for expert, party_id in experts
    ]
    try:
        session.add_all(records)
        session.flush()  # parents first: the children's foreign keys point at them
        for expert, _ in experts:
            session.add_all(_child_rows(expert))
        session.commit()
    except IntegrityError:  # a concurrent writer took an id or a party in between
        session.rollback()
        if existing_expert_ids(session=session, expert_ids=ids):
            raise ExpertExistsError("an expert id was taken meanwhile") from None
        raise PartyAlreadyLinkedError("a party was linked to another expert meanwhile") from None
    except BaseException:
        session.rollback()
        raise
    # Built from what was written rather than re-read: an import may hold thousands.
    return [
        StoredExpert(
            expert=Expert(
                expert_id=expert.expert_id,
                name=expert.name,
                domain=expert.domain,
                specialties=sorted(expert.specialties),
                affiliations=list(expert.affiliations),
                open_cases=expert.open_cases,
                active=expert.active,
            ),
            party_id=party_id,
            created_at=now,
            updated_at=now,
        )
        for expert, party_id in experts
    ]


def create_expert(*, session: Session, expert: Expert, party_id: str | None = None) -> StoredExpert:
    return create_experts(session=session, experts=[(expert, party_id)])[0]


def _given(value: Any, current: Any) -> Any:
    """The new value if one was given (a copy of a sequence); anything else reaches validation as is."""
    if isinstance(value, _Unset):
        return current
    return list(value) if isinstance(value, list | tuple) else value


def update_expert(
    *,
    session: Session,
    expert_id: str,
    name: str | _Unset = UNSET,
    specialties: Sequence[str] | _Unset = UNSET,
    affiliations: Sequence[Affiliation] | _Unset = UNSET,
    party_id: str | None | _Unset = UNSET,
) -> StoredExpert:
    """Change what is given (UNSET: leave as is); `affiliations` replaces the whole list,
    `party_id=None` unlinks. The result is validated as a whole before anything is written;
    a change to what is already stored (lists compared in any order) writes nothing.
    """
    try:
        record = _locked_record(session, expert_id)
        current = _records_to_experts(session, [record])[0].expert
        changed = Expert(
            expert_id=expert_id,
            name=_given(name, current.name),
            domain=current.domain,
            specialties=_given(specialties, current.specialties),
            affiliations=_given(affiliations, current.affiliations),
            open_cases=current.open_cases,
            active=current.active,
        )
        check_registry_fields(changed)
        if not isinstance(party_id, _Unset) and party_id is not None:
            check_party_link(session=session, party_id=party_id, expert_id=expert_id)
        new_party = record.party_id if isinstance(party_id, _Unset) else party_id
        if expert_document(changed) == expert_document(current) and new_party == record.party_id:
            session.commit()  # nothing to change: leave updated_at alone
            return _records_to_experts(session, [record])[0]
        record.party_id = new_party
        record.name = changed.name
        record.updated_at = utcnow()
        session.add(record)
        session.exec(delete(ExpertSpecialtyRecord).where(col(ExpertSpecialtyRecord.expert_id) == expert_id))
        session.exec(
            delete(ExpertAffiliationRecord).where(col(ExpertAffiliationRecord.expert_id) == expert_id)
        )
        session.add_all(_child_rows(changed))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PartyAlreadyLinkedError(f"party {party_id} was linked to another expert meanwhile") from None
    except BaseException:
        session.rollback()
        raise
    return _records_to_experts(session, [record])[0]


def locked_row(session: Session, model: type[Row], key: str) -> Row | None:
    """The row with this primary key, read afresh and locked for this transaction on PostgreSQL
    (SQLite locks the whole file); the registries' writes start with it."""
    return session.get(model, key, with_for_update=True, populate_existing=True)


def _locked_record(session: Session, expert_id: str) -> ExpertRecord:
    record = locked_row(session, ExpertRecord, expert_id)
    if record is None:
        raise ExpertNotFoundError(expert_id)
    return record


def set_expert_active(*, session: Session, expert_id: str, active: bool) -> StoredExpert:
    """Take the expert out of future draws (`active=False`) or put them back; asking for the
    state the expert is already in changes nothing (not even updated_at)."""
    try:
        record = _locked_record(session, expert_id)
        if record.active != active:
            record.active = active
            record.updated_at = utcnow()
            session.add(record)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _records_to_experts(session, [record])[0]


def expert_of_party(*, session: Session, party_id: str) -> StoredExpert | None:
    """The registry entry this party signs for, if the council linked one (one party, one expert)."""
    record = session.exec(select(ExpertRecord).where(ExpertRecord.party_id == party_id)).first()
    return None if record is None else _records_to_experts(session, [record])[0]


def set_case_seats(*, session: Session, case_id: str, seated: Iterable[str]) -> None:
    """Make `seated` exactly the case's active seats and recount every touched expert's open cases.

    Called with the whole current panel (empty when the case is over), so a retry
    or a repeat writes the same rows: idempotent by case.
    """
    seated = set(seated)
    rows = {
        row.expert_id: row
        for row in session.exec(select(PanelSeatRecord).where(PanelSeatRecord.case_id == case_id))
    }
    now = utcnow()
    for expert_id in seated - set(rows):
        session.add(PanelSeatRecord(case_id=case_id, expert_id=expert_id, active=True, updated_at=now))
    for expert_id, row in rows.items():
        if row.active != (expert_id in seated):
            row.active, row.updated_at = expert_id in seated, now
            session.add(row)
    session.flush()
    for expert_id in seated | set(rows):
        count = session.exec(
            select(func.count())
            .select_from(PanelSeatRecord)
            .where(PanelSeatRecord.expert_id == expert_id, col(PanelSeatRecord.active))
        ).one()
        record = session.get(ExpertRecord, expert_id)
        if record is not None and record.open_cases != count:
            record.open_cases = count
            session.add(record)
    session.commit()
