import json
import multiprocessing
from datetime import timedelta
from multiprocessing.synchronize import Barrier

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, DateTime, Engine, bindparam, inspect, text

from db import businesses, crud, tokens, warnings
from db.engine import make_engine, session_scope
from db.migrate import alembic_config, is_current, upgrade
from db.models import metadata, utcnow
from domain.alert_codes import AlertCode
from tests.db.factories import TOKEN_LIFETIME, make_public_key
from web.server_text import stored_alert_text


def test_upgrade_creates_schema_and_is_idempotent(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert not is_current(engine)
        upgrade(empty_db_url)
        assert is_current(engine)
        with session_scope(engine) as session:
            party, _ = crud.create_party(
                session=session,
                role="owner",
                display_name="Li",
                public_key=make_public_key(),
                token_lifetime=TOKEN_LIFETIME,
            )

        upgrade(empty_db_url)

        assert is_current(engine)
        assert set(inspect(engine).get_table_names()) == {*metadata.tables, "alembic_version"}
        with session_scope(engine) as session:
            assert crud.get_party(session=session, party_id=party.id) is not None
    finally:
        engine.dispose()


def _start_process(url: str, barrier: Barrier) -> None:
    barrier.wait()
    upgrade(url)


def test_processes_starting_together_all_migrate_cleanly(empty_db_url: str) -> None:
    # Processes, not threads: Alembic keeps its context in module globals.
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(3)
    processes = [spawn.Process(target=_start_process, args=(empty_db_url, barrier)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()

    assert [process.exitcode for process in processes] == [0, 0, 0]
    engine = make_engine(empty_db_url)
    try:
        assert is_current(engine)
    finally:
        engine.dispose()


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def migrate(url: str, command_name: str, revision: str) -> None:
    """Run one Alembic command on its own engine, as db.migrate.upgrade does."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            getattr(command, command_name)(alembic_config(connection), revision)
    finally:
        engine.dispose()


def test_the_token_each_party_had_is_carried_over_as_an_expiring_api_token(empty_db_url: str) -> None:
    migrate(empty_db_url, "upgrade", "0006_request_record")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO party (id, role, display_name, public_key, token_hash, created_at)"
                    " VALUES ('P-OLDPARTY01', 'owner', 'Li', :key, :hash, :created)"
                ).bindparams(bindparam("created", type_=DateTime(timezone=True))),
                {"key": make_public_key(), "hash": tokens.hash_secret("old-secret"), "created": utcnow()},
            )
        upgrade(empty_db_url)

        with session_scope(engine) as session:
            party, token = tokens.authenticate(session=session, secret="old-secret", kind="api")
            assert party.id == "P-OLDPARTY01"
            assert timedelta(days=89) < token.expires_at - utcnow() <= timedelta(days=90)
        migrate(empty_db_url, "downgrade", "0006_request_record")
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT token_hash FROM party")).scalar_one()
        assert kept == tokens.hash_secret("old-secret")
    finally:
        engine.dispose()


def _trail_and_alert_schema(
    engine: Engine,
) -> tuple[list[str], list[str], dict[str | None, list[str | None]]]:
    """The trail's primary key, the alerts' columns (sorted: a later migration's downgrade adds one
    back at the end), and the alerts' indexes and unique constraints by name (PostgreSQL lists a
    constraint's own index among the indexes too), as the database has them."""
    inspector = inspect(engine)
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("council_alert")}
    uniques = {u["name"]: u["column_names"] for u in inspector.get_unique_constraints("council_alert")}
    return (
        inspector.get_pk_constraint("audit_entry")["constrained_columns"],
        sorted(column["name"] for column in inspector.get_columns("council_alert")),
        indexes | uniques,
    )


def test_the_escrow_id_column_of_trail_and_alerts_becomes_subject_id_and_back(empty_db_url: str) -> None:
    migrate(empty_db_url, "upgrade", "0007_party_token")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for subject in ("ESC-2026-00001", "CASE-2026-00001"):
                connection.execute(
                    text(
                        "INSERT INTO audit_entry (escrow_id, seq, action, signer_id, signer_role, entry_hash,"
                        " prev_hash, envelope_json, signature, recorded_at)"
                        " VALUES (:subject, 1, 'accept_stage', 'P-OWNER00000', 'owner', 'h1', NULL, '{}',"
                        " 'sig', :at)"
                    ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                    {"subject": subject, "at": utcnow()},
                )
                connection.execute(
                    text(
                        "INSERT INTO council_alert (escrow_id, kind, message, business_key, created_at)"
                        " VALUES (:subject, 'overdue', 'late', :key, :at)"
                    ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                    {"subject": subject, "key": f"{subject}:overdue", "at": utcnow()},
                )
        upgrade(empty_db_url)

        assert _trail_and_alert_schema(engine) == (
            ["subject_id", "seq"],
            ["business_key", "code", "created_at", "id", "kind", "params_json", "subject_id"],
            {
                "ix_council_alert_subject_id": ["subject_id"],
                "uq_council_alert_business_key": ["business_key"],
            },
        )
        with session_scope(engine) as session:
            (case_step,) = crud.list_audit_entries(session=session, subject_id="CASE-2026-00001")
            assert (case_step.seq, case_step.action) == (1, "accept_stage")
            assert [
                a.business_key for a in crud.list_alerts(session=session, subject_id="CASE-2026-00001")
            ] == ["CASE-2026-00001:overdue"]
            assert [a.subject_id for a in crud.list_alerts(session=session)] == [
                "CASE-2026-00001",
                "ESC-2026-00001",
            ]

        migrate(empty_db_url, "downgrade", "0007_party_token")
        assert _trail_and_alert_schema(engine) == (
            ["escrow_id", "seq"],
            ["business_key", "created_at", "escrow_id", "id", "kind", "message"],
            {"ix_council_alert_escrow_id": ["escrow_id"], "uq_council_alert_business_key": ["business_key"]},
        )
        with engine.connect() as connection:
            trail = connection.execute(text("SELECT escrow_id FROM audit_entry ORDER BY escrow_id")).scalars()
            alerts = connection.execute(text("SELECT escrow_id FROM council_alert ORDER BY id")).scalars()
            assert (list(trail), list(alerts)) == (
                ["CASE-2026-00001", "ESC-2026-00001"],
                ["ESC-2026-00001", "CASE-2026-00001"],
            )
    finally:
        engine.dispose()


def test_businesses_registered_before_codes_stay_unverified_and_codes_are_unique(empty_db_url: str) -> None:
    """0013: the licence columns arrive empty on old rows; a code is held by one party only."""
    migrate(empty_db_url, "upgrade", "0011_notifications")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO party (id, role, display_name, public_key, created_at)"
                    " VALUES ('P-OLDCONTRACT', 'contractor', 'Old Decor', 'key-old', :at)"
                ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                {"at": utcnow()},
            )
        upgrade(empty_db_url)
        with session_scope(engine) as session:
            old = crud.get_party(session=session, party_id="P-OLDCONTRACT")
            assert old is not None
            assert (old.credit_code, old.legal_name, old.verified_at, old.verified_by) == (
                None,
                None,
                None,
                None,
            )
            assert [p.id for p in businesses.awaiting_verification(session=session, limit=10, offset=0)] == [
                "P-OLDCONTRACT"
            ]
            register_dealer(session, "A")
        with session_scope(engine) as session, pytest.raises(crud.CreditCodeTakenError):
            register_dealer(session, "B")  # the same code again
        migrate(empty_db_url, "downgrade", "0011_notifications")
        assert "credit_code" not in {c["name"] for c in inspect(engine).get_columns("party")}
    finally:
        engine.dispose()


def register_dealer(session, name: str) -> None:
    crud.create_party(
        session=session,
        role="dealer",
        display_name=name,
        public_key=make_public_key(),
        token_lifetime=TOKEN_LIFETIME,
        credit_code="91350100M000100Y43",
        legal_name=f"{name} Co.",
    )


# 0017: an alert's English sentence becomes a code and parameters, and back.
ALERT_CODES_BEFORE = "0016_key_recovery"


def test_an_alert_stored_as_a_sentence_keeps_it_as_a_legacy_text_and_gets_it_back(empty_db_url: str) -> None:
    migrate(empty_db_url, "upgrade", ALERT_CODES_BEFORE)
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

        migrate(empty_db_url, "downgrade", ALERT_CODES_BEFORE)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT business_key, message FROM council_alert ORDER BY id"))
            assert list(rows) == [
                ("k-old", "not funded in time"),
                ("k-new", 'inspection_overdue: {"stage": "2"}'),
            ]
    finally:
        engine.dispose()


# 0023: a warning's draft can be discarded; downgrading deletes what the older schema cannot hold.
DISCARD_BEFORE = "0022_compensation_funds"


def _old_warning(connection: Connection, warning_id: str, title: str) -> None:
    connection.execute(
        text(
            "INSERT INTO consumer_warning (id, state, title_zh, title_en, text_zh, text_en, category,"
            " business_ids, valid_from, valid_until, content_hash, created_by, created_at)"
            " VALUES (:id, 'draft', '标题', :title, '正文', 'Text', 'car', '[]', '2027-01-01', '2027-03-31',"
            " 'digest', 'P-CLERK', :at)"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        {"id": warning_id, "title": title, "at": utcnow()},
    )
    connection.execute(
        text(
            "INSERT INTO warning_signature (warning_id, purpose, member_id, envelope, signature, signed_at)"
            " VALUES (:id, 'publish', 'P-CLERK', '{}', 'sig', :at)"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        {"id": warning_id, "at": utcnow()},
    )


def test_a_draft_made_before_discarding_can_be_discarded_and_a_downgrade_never_revives_one(
    empty_db_url: str,
) -> None:
    migrate(empty_db_url, "upgrade", DISCARD_BEFORE)
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            _old_warning(connection, "WRN-2026-00001", "Kept")
            _old_warning(connection, "WRN-2026-00002", "Thrown")
        upgrade(empty_db_url)

        with session_scope(engine) as session:
            kept = warnings.get(session=session, warning_id="WRN-2026-00001")
            assert kept is not None and (kept.state, kept.discarded_by) == ("draft", None)
            thrown = warnings.move(
                session=session,
                warning_id="WRN-2026-00002",
                from_state=warnings.DRAFT,
                values={
                    "state": warnings.DISCARDED,
                    "discarded_by": "P-CLERK",
                    "discarded_at": utcnow(),
                    "discard_reason": "a typo",
                },
            )
            assert (thrown.state, thrown.discard_reason) == ("discarded", "a typo")

        migrate(empty_db_url, "downgrade", DISCARD_BEFORE)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, state FROM consumer_warning"))
            signed = connection.execute(text("SELECT warning_id FROM warning_signature"))
            assert (list(rows), list(signed)) == ([("WRN-2026-00001", "draft")], [("WRN-2026-00001",)])
    finally:
        engine.dispose()
