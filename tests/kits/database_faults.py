"""Real database failures, made to order, for the writes and reads a workflow owes besides money.

A trigger aborts a write inside the activity's own transaction, exactly as a value the
database cannot hold did (a 2^63 amount overflowing SQLite's INTEGER); a stored value no
reader can parse breaks a read. Either way the activity fails for real: nothing of ours
is mocked.
"""

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import Engine


@contextlib.contextmanager
def refused_rows(engine: Engine, table: str, column: str, value: str) -> Iterator[str]:
    """While open, every insert or update of `table` whose `column` is `value` fails; yields the error."""
    assert engine.dialect.name == "sqlite", "the test stack's read model is SQLite"
    refusal = f"the read model refuses {value}"
    names = [f"refuse_{uuid.uuid4().hex[:12]}_{event.lower()}" for event in ("INSERT", "UPDATE")]
    with engine.begin() as connection:
        for name, event in zip(names, ("INSERT", "UPDATE"), strict=True):
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN NEW.{column} = '{value}'"
                f" BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
            )
    try:
        yield refusal
    finally:
        with engine.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")


@contextlib.contextmanager
def unreadable_registry(engine: Engine, expert_id: str) -> Iterator[None]:
    """While open, an affiliation of `expert_id` carries a date no reader can parse (a bad import),
    so reading the registry's candidates for a draw fails."""
    with engine.begin() as connection:
        row_id = connection.exec_driver_sql(
            "INSERT INTO expert_affiliation (expert_id, org_id, kind, start_date)"
            " VALUES (?, 'ORG-IMPORT', 'paid', 'someday') RETURNING id",
            (expert_id,),
        ).scalar_one()
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM expert_affiliation WHERE id = ?", (row_id,))
