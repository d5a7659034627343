import multiprocessing
from multiprocessing.synchronize import Barrier

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from db import crud
from db.engine import make_engine, session_scope
from db.migrate import is_current, upgrade
from db.models import metadata
from tests.db.factories import make_public_key


def test_upgrade_creates_schema_and_is_idempotent(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert not is_current(engine)
        upgrade(empty_db_url)
        assert is_current(engine)
        with session_scope(engine) as session:
            party, _ = crud.create_party(
                session=session, role="owner", display_name="Li", public_key=make_public_key()
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
