"""The bank's own database engine, kept apart from the application's on purpose.

The bank stands in for an external service, so it shares no tables or engine with
the application. On SQLite every transaction starts with BEGIN IMMEDIATE: the
driver's default deferred BEGIN lets two writers both read a balance and then
fail (or overdraw) when upgrading to a write lock; taking the write lock first
serialises money movements, which is what PostgreSQL's row lock does there.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from config.database import normalize_url

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def make_engine(url: str) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database
    if not database or database == ":memory:":
        # Each pooled connection would get its own empty database.
        raise ValueError("the sandbox bank needs a SQLite file path, not an in-memory database")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy so `_begin_immediate` decides how BEGIN looks.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
