"""Case projection: the read model of dispute cases, for listing them without asking each workflow.

Revision ID: 0004_case_projection
Revises: 0003_panel_seats
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_case_projection"
down_revision: str | Sequence[str] | None = "0003_panel_seats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_projection",
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("claimant_id", sa.String(), nullable=False),
        sa.Column("respondent_id", sa.String(), nullable=False),
        sa.Column("escrow_id", sa.String(), nullable=True),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("disputed_fen", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("pay_fen", sa.BigInteger(), nullable=True),
        sa.Column("refund_fen", sa.BigInteger(), nullable=True),
        sa.Column("remedy", sa.String(), nullable=True),
        sa.Column("noncompliant", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "disputed_fen >= 0 AND (pay_fen IS NULL OR pay_fen >= 0)"
            " AND (refund_fen IS NULL OR refund_fen >= 0)",
            name=op.f("ck_case_projection_amounts_non_negative"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_projection")),
    )
    for column in ("claimant_id", "respondent_id"):
        op.create_index(op.f(f"ix_case_projection_{column}"), "case_projection", [column], unique=False)


def downgrade() -> None:
    for column in ("claimant_id", "respondent_id"):
        op.drop_index(op.f(f"ix_case_projection_{column}"), table_name="case_projection")
    op.drop_table("case_projection")
