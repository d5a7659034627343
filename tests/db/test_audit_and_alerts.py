import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from db import crud
from domain.alert_codes import AlertCode
from tests.db.factories import entry


def test_audit_append_is_idempotent_by_sequence(session: Session) -> None:
    assert crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1), entry(2)]) == 2
    assert crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1), entry(2)]) == 0
    assert crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(2), entry(3)]) == 1
    assert crud.append_audit_entries(session=session, subject_id="ESC-2", entries=[entry(1)]) == 1

    stored = crud.list_audit_entries(session=session, subject_id="ESC-1")
    assert [(e.seq, e.entry_hash, e.prev_hash) for e in stored] == [
        (1, "hash-1", None),
        (2, "hash-2", "hash-1"),
        (3, "hash-3", "hash-2"),
    ]
    assert stored[0].envelope_json == '{"action":"accept_stage","seq":1}'
    assert stored[0].recorded_at.tzinfo == UTC


def test_a_different_entry_under_a_stored_sequence_is_refused(session: Session) -> None:
    crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1)])

    with pytest.raises(crud.AuditConflictError):
        crud.append_audit_entries(
            session=session, subject_id="ESC-1", entries=[entry(2), entry(1, entry_hash="forged")]
        )

    assert [e.seq for e in crud.list_audit_entries(session=session, subject_id="ESC-1")] == [1]


def test_recorded_at_is_kept_in_utc(session: Session) -> None:
    signed_at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    crud.append_audit_entries(session=session, subject_id="ESC-1", entries=[entry(1, recorded_at=signed_at)])

    (stored,) = crud.list_audit_entries(session=session, subject_id="ESC-1")
    assert stored.recorded_at == signed_at
    with pytest.raises(Exception, match="naive datetime"):
        crud.append_audit_entries(
            session=session, subject_id="ESC-1", entries=[entry(2, recorded_at=datetime(2026, 3, 1))]
        )


def test_raising_the_same_alert_twice_is_a_no_op(session: Session) -> None:
    key = "ESC-1:stage-2:inspection-overdue"
    alert = {"code": AlertCode.INSPECTION_OVERDUE, "params": {"stage": "2"}}

    assert crud.raise_alert(session=session, subject_id="ESC-1", business_key=key, **alert)
    assert not crud.raise_alert(session=session, subject_id="ESC-1", business_key=key, **alert)
    assert crud.raise_alert(
        session=session, subject_id="ESC-2", business_key="ESC-2:stage-1:owner-silent", **alert
    )

    (raised,) = crud.list_alerts(session=session, subject_id="ESC-1")
    assert (raised.business_key, raised.kind, raised.code) == (
        key,
        "inspection_overdue",
        "inspection_overdue",
    )
    assert json.loads(raised.params_json) == {"stage": "2"}
    assert [a.subject_id for a in crud.list_alerts(session=session)] == ["ESC-2", "ESC-1"]
