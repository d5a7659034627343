"""0017: an alert's English sentence becomes a code and parameters, and back."""

import json

from sqlalchemy import DateTime, bindparam, text

from db import crud
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import utcnow
from domain.alert_codes import AlertCode
from tests.db.test_migrations import migrate
from web.server_text import stored_alert_text

BEFORE = "0016_key_recovery"


def test_an_alert_stored_as_a_sentence_keeps_it_as_a_legacy_text_and_gets_it_back(empty_db_url: str) -> None:
    migrate(empty_db_url, "upgrade", BEFORE)
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO council_alert (subject_id, kind, message, business_key, created_at)"
                    " VALUES ('ESC-2026-00001', 'funding_expired', 'not funded in time', 'k-old', :at)"
                ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                {"at": utcnow()},
            )
        upgrade(empty_db_url)

        with session_scope(engine) as session:
            crud.raise_alert(
                session=session,
                subject_id="ESC-2026-00001",
                code=AlertCode.INSPECTION_OVERDUE,
                params={"stage": "2"},
                business_key="k-new",
            )
            old, new = sorted(crud.list_alerts(session=session), key=lambda a: a.business_key == "k-new")
            assert (old.kind, old.code, json.loads(old.params_json)) == (
                "funding_expired",
                "legacy",
                {"text": "not funded in time"},
            )
            assert stored_alert_text("zh-CN", old) == "not funded in time"  # as it was written
            assert (new.kind, new.code) == ("inspection_overdue", "inspection_overdue")

        migrate(empty_db_url, "downgrade", BEFORE)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT business_key, message FROM council_alert ORDER BY id"))
            assert list(rows) == [
                ("k-old", "not funded in time"),
                ("k-new", 'inspection_overdue: {"stage": "2"}'),
            ]
    finally:
        engine.dispose()
