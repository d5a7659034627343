"""Schema upgrades for the bank's database, run by the service itself at start.

Nothing outside the bank touches its schema; an alembic.ini would only be a
second place for the URL to go stale, so the configuration is built here.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config

from sandbox_bank.db import make_engine

VERSION_TABLE = "bank_alembic_version"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()
