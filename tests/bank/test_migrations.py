"""The bank's schema comes only from its migrations, on both databases."""

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from sandbox_bank.db import make_engine
from sandbox_bank.migrate import VERSION_TABLE, upgrade
from sandbox_bank.models import CONTRACTORS_OUT, OWNERS_IN, OWNERS_OUT, BankTable


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, sqlite_url: Callable[[], str]) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("new_pg_database")()
    return sqlite_url()


def test_migrations_build_exactly_the_models(fresh_url: str) -> None:
    upgrade(fresh_url)
    upgrade(fresh_url)  # a second start finds nothing to do

    engine = make_engine(fresh_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            assert compare_metadata(context, BankTable.metadata) == []
            assert context.get_current_revision() == "0001"
            assert "alembic_version" not in inspect(connection).get_table_names()
            externals = connection.execute(
                text("SELECT account_id FROM bank_accounts WHERE kind = 'external'")
            ).scalars()
            assert set(externals) == {OWNERS_IN, CONTRACTORS_OUT, OWNERS_OUT}
    finally:
        engine.dispose()


def test_bank_tables_stay_out_of_the_application_metadata() -> None:
    assert BankTable.metadata is not SQLModel.metadata
    assert not any(name.startswith("bank_") for name in SQLModel.metadata.tables)
    assert "bank_journal_lines" in BankTable.metadata.tables
