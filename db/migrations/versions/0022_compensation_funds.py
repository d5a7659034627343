"""Advance-compensation funds (先行赔付): the read model of each business's fund
(docs/ADVANCE_COMPENSATION.md).

Revision ID: 0022_compensation_funds
Revises: 0021_consumer_warnings
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_compensation_funds"
down_revision: str | Sequence[str] | None = "0021_consumer_warnings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)
AMOUNTS = ("pledged_fen", "deposited_fen", "advanced_fen", "withdrawn_fen", "owed_fen", "held_fen")


def upgrade() -> None:
    op.create_table(
        "fund_projection",
        sa.Column("fund_id", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("business_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in AMOUNTS),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("opened_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.CheckConstraint(
            "pledged_fen >= 0 AND deposited_fen >= 0 AND advanced_fen >= 0 AND withdrawn_fen >= 0"
            " AND owed_fen >= 0",
            name=op.f("ck_fund_projection_amounts_non_negative"),
        ),
        sa.PrimaryKeyConstraint("fund_id", name=op.f("pk_fund_projection")),
    )
    op.create_index(op.f("ix_fund_projection_business_id"), "fund_projection", ["business_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_fund_projection_business_id"), table_name="fund_projection")
    op.drop_table("fund_projection")
