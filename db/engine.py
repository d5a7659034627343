"""Engines for the application database: SQLite by default, PostgreSQL when configured.

SQLite is tuned for several processes (API, workers) sharing one file: WAL lets
readers proceed while one writer commits, and the busy timeout makes a writer
wait for the lock instead of failing at once. Foreign keys are off in SQLite
unless asked for on every connection.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlmodel import Session, create_engine

from config.database import normalize_url

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def make_engine(url: str) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        # Every pooled connection would see its own empty database, so migrations
        # run through one connection would be invisible to the next.
        raise ValueError("in-memory SQLite is not supported; give a file path")
    if not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # No pre-ping: a SQLite connection is a file handle that cannot go stale, and the
    # ping was a query on every checkout (7% of the worker's time, docs/BENCHMARKS.md).
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose objects stay readable after commit and after it closes.

    The CRUD helpers commit for themselves; leaving the block closes the session,
    which rolls back anything the caller started and did not commit.
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def single_transaction(engine: Engine) -> Iterator[Session]:
    """A session in one transaction, committed when the block ends (rolled back on error).

    The CRUD helpers commit for themselves; here they run in a session joined to an
    outer transaction (SQLAlchemy's "join an external transaction" mode), so their
    commits do not end it. Several helpers then store one thing whole or not at all,
    and SQLite syncs its log once instead of once per helper.
    """
    with engine.begin() as connection, Session(bind=connection) as session:
        yield session
