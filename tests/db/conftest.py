"""Every database test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL gets fresh databases on the local server, created for this test
session and dropped at its end, each migrated by Alembic exactly as production
would be, so the tests also prove the migrations.
"""

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import metadata

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def create_pg_database() -> Iterator[Callable[[], str]]:
    created: list[str] = []

    def create() -> str:
        name = f"escrow_test_{secrets.token_hex(6)}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield create
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_database_url(backend: str, directory: Path, create_pg_database: Callable[[], str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'escrow.db'}"
    return create_pg_database()


@pytest.fixture(params=BACKENDS)
def empty_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, create_pg_database: Callable[[], str]
) -> str:
    """A database nobody has migrated yet."""
    return _empty_database_url(request.param, tmp_path, create_pg_database)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    create_pg_database: Callable[[], str],
) -> str:
    """A database migrated to head, shared by the session's tests on one backend."""
    url = _empty_database_url(request.param, tmp_path_factory.mktemp("db"), create_pg_database)
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
