"""Bring the application schema to the latest Alembic revision, from code.

Every process calls `upgrade()` at start-up; it is idempotent and serialised by
a lock in migrations/env.py, so SQLite and PostgreSQL are migrated the same way
with no alembic.ini needed in the working directory.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from config.settings import get_settings
from db.engine import make_engine

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str | None = None) -> None:
    """Upgrade the database at `url` (default: the configured one) to head."""
    engine = make_engine(url or get_settings().app_database_url())
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()


def is_current(engine: Engine) -> bool:
    """Whether the schema is at head, so a process can refuse to start on a stale one."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
