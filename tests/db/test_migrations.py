import multiprocessing
from datetime import timedelta
from multiprocessing.synchronize import Barrier

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, Engine, bindparam, inspect, text

from db import crud, tokens
from db.engine import make_engine, session_scope
from db.migrate import alembic_config, is_current, upgrade
from db.models import metadata, utcnow
from tests.db.factories import TOKEN_LIFETIME, make_public_key


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
