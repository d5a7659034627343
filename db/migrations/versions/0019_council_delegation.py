"""The council's delegation of business verification to a housing association, and on whose
behalf each verification was made (docs/VERIFIED_BUSINESSES.md).

Revision ID: 0019_council_delegation
Revises: 0018_delivery_sending
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_council_delegation"
down_revision: str | Sequence[str] | None = "0018_delivery_sending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "council_delegation",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("delegate_id", sa.String(), nullable=False),
        sa.Column("current_delegate_id", sa.String(), nullable=True),
        sa.Column("granted_by", sa.String(), nullable=False),
        sa.Column("granted_at", MOMENT, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revoked_by", sa.String(), nullable=True),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["party.id"], name=op.f("fk_council_delegation_delegate_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_delegation")),
        sa.UniqueConstraint("current_delegate_id", name=op.f("uq_council_delegation_current_delegate_id")),
    )
    op.create_index(
        op.f("ix_council_delegation_delegate_id"), "council_delegation", ["delegate_id"], unique=False
    )
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("verified_for", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("party") as batch:
        batch.drop_column("verified_for")
    op.drop_index(op.f("ix_council_delegation_delegate_id"), table_name="council_delegation")
    op.drop_table("council_delegation")
