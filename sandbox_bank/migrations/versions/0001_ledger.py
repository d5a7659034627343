"""Double-entry ledger, idempotency records, webhook outbox and the external accounts.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

EXTERNAL_ACCOUNTS = ("@external:owners-in", "@external:contractors-out", "@external:owners-out")


def upgrade() -> None:
    accounts = op.create_table(
        "bank_accounts",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_bank_accounts"),
    )
    op.create_table(
        "bank_transactions",
        sa.Column("tx_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("counterparty", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tx_id", name="pk_bank_transactions"),
        sa.UniqueConstraint("idempotency_key", name="uq_bank_transactions_idempotency_key"),
    )
    op.create_table(
        "bank_journal_lines",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("tx_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("line_id", name="pk_bank_journal_lines"),
        sa.ForeignKeyConstraint(
            ["tx_id"],
            ["bank_transactions.tx_id"],
            name="fk_bank_journal_lines_tx_id_bank_transactions",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bank_accounts.account_id"],
            name="fk_bank_journal_lines_account_id_bank_accounts",
        ),
    )
    op.create_index("ix_bank_journal_lines_tx_id", "bank_journal_lines", ["tx_id"])
    op.create_index("ix_bank_journal_lines_account_id", "bank_journal_lines", ["account_id"])
    op.create_table(
        "bank_idempotency_records",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_bank_idempotency_records"),
    )
    op.create_table(
        "bank_webhook_outbox",
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_bank_webhook_outbox"),
    )
    op.create_index("ix_bank_webhook_outbox_next_attempt_at", "bank_webhook_outbox", ["next_attempt_at"])
    now = datetime.now(UTC)
    op.bulk_insert(
        accounts,
        [{"account_id": a, "kind": "external", "created_at": now} for a in EXTERNAL_ACCOUNTS],
    )


def downgrade() -> None:
    op.drop_table("bank_webhook_outbox")
    op.drop_table("bank_idempotency_records")
    op.drop_table("bank_journal_lines")
    op.drop_table("bank_transactions")
    op.drop_table("bank_accounts")
