"""A read model that refuses the rows of one escrow or case: a real database failure, made to order.

SQLite triggers abort the write inside the projection's own transaction, exactly as a
value the database cannot hold did (a 2^63 amount overflowing SQLite's INTEGER), so the
projection activity fails for real and nothing of ours is mocked.
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
