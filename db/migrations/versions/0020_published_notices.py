"""Printable notices of a published quarterly list, one A4 PDF per district (docs/PUBLIC_RECORD.md).

Revision ID: 0020_published_notices
Revises: 0019_council_delegation
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_published_notices"
down_revision: str | Sequence[str] | None = "0019_council_delegation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_notice",
        sa.Column("quarter", sa.String(), nullable=False),
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quarter"], ["published_list.quarter"], name=op.f("fk_published_notice_quarter_published_list")
        ),
        sa.PrimaryKeyConstraint("quarter", "district", name=op.f("pk_published_notice")),
    )


def downgrade() -> None:
    op.drop_table("published_notice")
