"""Request records: the first answer to a create asked with an idempotency key or a claim's nonce.

Revision ID: 0006_request_record
Revises: 0005_public_record
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_request_record"
down_revision: str | Sequence[str] | None = "0005_public_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_record",
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("request_hash", sa.String(), nullable=False),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.Column("workflow_input_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "party_id", "key", name=op.f("pk_request_record")),
    )


def downgrade() -> None:
    op.drop_table("request_record")
