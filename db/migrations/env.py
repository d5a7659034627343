"""Alembic environment shared by db.migrate.upgrade() and the alembic CLI.

Migrations run under a database-wide lock, because API and worker processes
all upgrade at start-up and may start together: on PostgreSQL a transaction
advisory lock, on SQLite an immediate (write-locked) transaction. The second
process then finds the schema at head and does nothing.

SQLite alters a table by copying it and dropping the original (batch mode), which fails
while other tables' rows name it and foreign keys are enforced; so SQLite migrates with
them off (the PRAGMA only takes effect outside a transaction, hence before BEGIN) and
checks every foreign key before the transaction commits. The connection is not reused:
`db.migrate.upgrade` disposes its engine.
"""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel.sql.sqltypes import AutoString

from config.settings import get_settings
from db.engine import make_engine
from db.models import UTCDateTime, metadata

# Arbitrary constant shared by every process that migrates this schema.
MIGRATION_LOCK_KEY = 0x45_53_43_52_4F_57  # "ESCROW"


def _lock_schema(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows naming missing rows: {broken[:5]}")


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones, so revisions import nothing from
    the application and stay valid however the models change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.{obj.impl!r}"
    return False


def _run(connection: Connection) -> None:
    _lock_schema(connection)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().app_database_url()
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: migrate a live database")
_run_online()
