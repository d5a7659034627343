"""Keyword-only helpers over request records: the first answer to a create, kept by business key.

Recording is one INSERT ... ON CONFLICT DO NOTHING followed by a read of the stored
row, so two concurrent requests with the same key both get the row that won, on
SQLite and PostgreSQL alike; the caller compares its request hash with the stored one.
"""

from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from db.crud import dialect_insert, execute_write
from db.models import RequestRecord, utcnow


def _by_key(scope: str, party_id: str, key: str) -> SelectOfScalar[RequestRecord]:
    return (
        select(RequestRecord)
        .where(RequestRecord.scope == scope, RequestRecord.party_id == party_id, RequestRecord.key == key)
        .execution_options(populate_existing=True)
    )


def get_request_record(*, session: Session, scope: str, party_id: str, key: str) -> RequestRecord | None:
    return session.exec(_by_key(scope, party_id, key)).first()


def record_request(
    *,
    session: Session,
    scope: str,
    party_id: str,
    key: str,
    request_hash: str,
    answer_json: str,
    workflow_input_json: str,
) -> tuple[RequestRecord, bool]:
    """Store the first answer under (scope, party, key); the stored row, and whether it is this one.

    If another request recorded the key first, its row is returned unchanged: the
    first answer wins and this one is dropped.
    """
    insert = dialect_insert(session, RequestRecord).values(
        scope=scope,
        party_id=party_id,
        key=key,
        request_hash=request_hash,
        answer_json=answer_json,
        workflow_input_json=workflow_input_json,
        created_at=utcnow(),
    )
    inserted = execute_write(session, insert.on_conflict_do_nothing().returning(RequestRecord.key))
    return session.exec(_by_key(scope, party_id, key)).one(), bool(inserted)
