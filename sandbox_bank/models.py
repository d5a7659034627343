"""The bank's tables: a double-entry ledger, idempotency records and a webhook outbox.

The tables live on their own registry so the application's `SQLModel.metadata`
(and its Alembic autogenerate) never sees them: the bank is a separate service
with a separate database and migration history.

Balances are never stored: an account's balance is the sum of its journal lines,
so the ledger cannot drift from a cached figure.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, Text
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite otherwise hands back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class AccountKind(StrEnum):
    ESCROW = "escrow"
    EXTERNAL = "external"


class MovementKind(StrEnum):
    DEPOSIT = "deposit"
    PAYOUT = "payout"
    REFUND = "refund"


# The outside world, as the ledger sees it. The "@" cannot start an escrow account id,
# so nobody can open, fund or drain these through the API.
OWNERS_IN = "@external:owners-in"
CONTRACTORS_OUT = "@external:contractors-out"
OWNERS_OUT = "@external:owners-out"
COUNTER_ACCOUNT = {
    MovementKind.DEPOSIT: OWNERS_IN,
    MovementKind.PAYOUT: CONTRACTORS_OUT,
    MovementKind.REFUND: OWNERS_OUT,
}


# Named constraints let later migrations alter or drop them by name on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class BankTable(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    pass


class Account(BankTable, table=True):
    __tablename__ = "bank_accounts"

    account_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class JournalTransaction(BankTable, table=True):
    __tablename__ = "bank_transactions"

    tx_id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=16)
    counterparty: str = Field(max_length=200)
    reference: str = Field(max_length=200)
    # A second guard behind the idempotency record: one movement per key, ever.
    idempotency_key: str = Field(max_length=255, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class JournalLine(BankTable, table=True):
    """One side of a transaction; a transaction's lines sum to zero."""

    __tablename__ = "bank_journal_lines"

    line_id: int | None = Field(default=None, primary_key=True)
    tx_id: str = Field(foreign_key="bank_transactions.tx_id", index=True, max_length=40)
    account_id: str = Field(foreign_key="bank_accounts.account_id", index=True, max_length=64)
    amount_fen: int = Field(sa_type=BigInteger)


class IdempotencyRecord(BankTable, table=True):
    """The first answer given for a key, replayed verbatim to every retry."""

    __tablename__ = "bank_idempotency_records"

    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OutboxEvent(BankTable, table=True):
    """A webhook still to deliver (or delivered), written in the movement's transaction."""

    __tablename__ = "bank_webhook_outbox"

    event_id: str = Field(primary_key=True, max_length=40)
    event_type: str = Field(max_length=40)
    payload: str = Field(sa_type=Text)
    attempts: int = 0
    # NULL once delivered, so the index only ever holds pending events.
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
