"""Every database test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL gets fresh databases on the local server (`new_pg_database`, tests/conftest.py),
created for this test session and dropped at its end, each migrated by Alembic exactly as production
would be, so the tests also prove the migrations.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import metadata
from tests.conftest import BACKENDS


def _empty_database_url(request: pytest.FixtureRequest, directory: Path) -> str:
    """SQLite in `directory`, or a fresh PostgreSQL database (asked for only then, so the
    SQLite half runs, and the PostgreSQL half fails, when PostgreSQL is down)."""
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'escrow.db'}"
    return request.getfixturevalue("new_pg_database")()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody has migrated yet."""
    return _empty_database_url(request, tmp_path)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head, shared by the session's tests on one backend."""
    url = _empty_database_url(request, tmp_path_factory.mktemp("db"))
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_engine(engine: Engine) -> Engine:
    """The shared engine with every application table emptied, so tests stay independent."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    return engine


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    with session_scope(clean_engine) as session:
        yield session
