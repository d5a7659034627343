"""`single_transaction`: the committing helpers, run inside it, store everything or nothing.

The projection activity relies on it: the read model, the audit log and the milestones of
one projection move together, so a failure half-way leaves none of them ahead.
"""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from db import crud
from db.engine import session_scope, single_transaction
from db.models import Party
from tests.db.factories import entry, make_party, projection


def stored(engine: Engine, owner: Party) -> tuple[list[int], list[str]]:
    """Audit sequence numbers of ESC-1 and the owner's escrows in the read model, read afresh."""
    with Session(engine) as session:
        audit = [e.seq for e in crud.list_audit_entries(session=session, subject_id="ESC-1")]
        rows = crud.list_escrows_for_party(session=session, party_id=owner.id)
        return audit, [row.escrow_id for row in rows]


@pytest.fixture
def parties(clean_engine: Engine) -> tuple[Party, Party]:
    with session_scope(clean_engine) as session:
        return make_party(session), make_party(session, "contractor", "Wang Fang")


def test_helpers_commits_land_together_at_the_end(clean_engine: Engine, parties: tuple[Party, Party]) -> None:
    owner, contractor = parties
    with single_transaction(clean_engine) as session:
        crud.upsert_escrow_projection(session=session, **projection("ESC-1", 1, owner, contractor))
        crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1)])
        assert stored(clean_engine, owner) == ([], []), "a helper's commit ended the outer transaction"
    assert stored(clean_engine, owner) == ([1], ["ESC-1"])


def test_a_failure_after_a_helper_committed_stores_nothing(
    clean_engine: Engine, parties: tuple[Party, Party]
) -> None:
    owner, contractor = parties
    with single_transaction(clean_engine) as session:
        crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1)])
    with pytest.raises(crud.AuditConflictError), single_transaction(clean_engine) as session:
        crud.upsert_escrow_projection(session=session, **projection("ESC-1", 2, owner, contractor))
        crud.append_audit_entries(
            session=session, subject_id="ESC-1", entries=[entry(2), entry(1, entry_hash="forged")]
        )
    assert stored(clean_engine, owner) == ([1], [])
