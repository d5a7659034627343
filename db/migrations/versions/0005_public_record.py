"""Public record: a business's public address, a case's category, the dates projections saw,
and the quarterly lists as published.

Revision ID: 0005_public_record
Revises: 0004_case_projection
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_public_record"
down_revision: str | Sequence[str] | None = "0004_case_projection"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("address", sa.String(), nullable=True))
    with op.batch_alter_table("case_projection") as batch:
        batch.add_column(sa.Column("main_specialty", sa.String(), nullable=True))
    op.create_table(
        "projection_milestone",
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "key", name=op.f("pk_projection_milestone")),
    )
    op.create_table(
        "published_list",
        sa.Column("quarter", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_json", sa.Text(), nullable=False),
        sa.CheckConstraint("expires_at > published_at", name=op.f("ck_published_list_expires_after")),
        sa.PrimaryKeyConstraint("quarter", name=op.f("pk_published_list")),
    )


def downgrade() -> None:
    op.drop_table("published_list")
    op.drop_table("projection_milestone")
    with op.batch_alter_table("case_projection") as batch:
        batch.drop_column("main_specialty")
    with op.batch_alter_table("party") as batch:
        batch.drop_column("address")
