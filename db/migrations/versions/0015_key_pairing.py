"""Pairing a second device by a short code (db/models.py KeyPairing, api/routes/keys.py).

Revision ID: 0015_key_pairing
Revises: 0014_inspector_accreditation
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_key_pairing"
down_revision: str | Sequence[str] | None = "0014_inspector_accreditation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "key_pairing",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("code_hash", sa.String(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("wrong_guesses", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=True),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("possession", sa.Text(), nullable=True),
        sa.Column("submitted_at", MOMENT, nullable=True),
        sa.Column("completed_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_key_pairing_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_pairing")),
    )
    op.create_index(op.f("ix_key_pairing_code_hash"), "key_pairing", ["code_hash"], unique=False)
    op.create_index(op.f("ix_key_pairing_party_id"), "key_pairing", ["party_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_key_pairing_party_id"), table_name="key_pairing")
    op.drop_index(op.f("ix_key_pairing_code_hash"), table_name="key_pairing")
    op.drop_table("key_pairing")
