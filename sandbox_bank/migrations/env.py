"""Alembic environment for the sandbox bank, driven only through `sandbox_bank.migrate`.

The caller hands over an open connection, so the engine setup (SQLite pragmas,
psycopg URL mapping) is the same one the service runs with.
"""

from alembic import context

from sandbox_bank.migrate import VERSION_TABLE
from sandbox_bank.models import BankTable

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=BankTable.metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
