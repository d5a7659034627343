"""Key recovery requests: a party that lost every key, the council's identity check and signatures.

Revision ID: 0016_key_recovery
Revises: 0015_key_pairing
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_key_recovery"
down_revision: str | Sequence[str] | None = "0015_key_pairing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "key_recovery",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("pairing", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("requested_at", MOMENT, nullable=False),
        sa.Column("document_kind", sa.String(), nullable=True),
        sa.Column("document_hash", sa.String(), nullable=True),
        sa.Column("photo_matched", sa.Boolean(), nullable=True),
        sa.Column("name_matched", sa.Boolean(), nullable=True),
        sa.Column("check_notes", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.String(), nullable=True),
        sa.Column("checked_at", MOMENT, nullable=True),
        sa.Column("approval", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", MOMENT, nullable=True),
        sa.Column("binding", sa.Text(), nullable=True),
        sa.Column("bound_by", sa.String(), nullable=True),
        sa.Column("effective_at", MOMENT, nullable=True),
        sa.Column("cancelled_by_key", sa.String(), nullable=True),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.Column("failure", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_key_recovery_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_recovery")),
    )
    op.create_index(op.f("ix_key_recovery_party_id"), "key_recovery", ["party_id"], unique=False)
    op.create_index(op.f("ix_key_recovery_state"), "key_recovery", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_key_recovery_state"), table_name="key_recovery")
    op.drop_index(op.f("ix_key_recovery_party_id"), table_name="key_recovery")
    op.drop_table("key_recovery")
