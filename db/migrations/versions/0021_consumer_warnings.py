"""Public consumer warnings (消费预警): the council's drafts, and the two members' signatures
that publish and withdraw them (docs/PUBLIC_RECORD.md).

Revision ID: 0021_consumer_warnings
Revises: 0020_published_notices
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_consumer_warnings"
down_revision: str | Sequence[str] | None = "0020_published_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consumer_warning",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("business_ids", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("spike_json", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("published_at", MOMENT, nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", MOMENT, nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'withdrawn')", name=op.f("ck_consumer_warning_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_warning")),
    )
    op.create_index(op.f("ix_consumer_warning_state"), "consumer_warning", ["state"], unique=False)
    op.create_table(
        "warning_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("member_id", sa.String(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("signed_at", MOMENT, nullable=False),
        sa.CheckConstraint("purpose IN ('publish', 'withdraw')", name=op.f("ck_warning_signature_purpose")),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["consumer_warning.id"],
            name=op.f("fk_warning_signature_warning_id_consumer_warning"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_signature")),
        sa.UniqueConstraint(
            "warning_id", "purpose", "member_id", name=op.f("uq_warning_signature_warning_id")
        ),
    )
    op.create_index(
        op.f("ix_warning_signature_warning_id"), "warning_signature", ["warning_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_warning_signature_warning_id"), table_name="warning_signature")
    op.drop_table("warning_signature")
    op.drop_index(op.f("ix_consumer_warning_state"), table_name="consumer_warning")
    op.drop_table("consumer_warning")
