"""Bring the application schema to the latest Alembic revision, from code.

Every process calls `upgrade()` at start-up; it is idempotent and serialised by
a lock in migrations/env.py, so SQLite and PostgreSQL are migrated the same way
with no alembic.ini needed in the working directory.
"""

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from config.settings import get_settings
from db.engine import make_engine

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["connection"] = connection
    return config


SQLITE_LOCK_ATTEMPTS = 5


def upgrade(url: str | None = None) -> None:
    """Upgrade the database at `url` (default: the configured one) to head.

    SQLite can refuse a lock outright instead of waiting its busy timeout (e.g. while
    another process switches a new file to WAL), so processes that start together
    retry a few times; the migration lock makes a retry find the schema at head.
    """
    engine = make_engine(url or get_settings().app_database_url())
    try:
        for attempt in range(1, SQLITE_LOCK_ATTEMPTS + 1):
            try:
                with engine.begin() as connection:
                    command.upgrade(alembic_config(connection), "head")
                return
            except OperationalError as exc:
                locked = engine.dialect.name == "sqlite" and "locked" in str(exc)
                if not locked or attempt == SQLITE_LOCK_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
    finally:
        engine.dispose()


def is_current(engine: Engine) -> bool:
    """Whether the schema is at head, so a process can refuse to start on a stale one."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
