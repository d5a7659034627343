"""Inspector accreditation: the council's list of who may be named as a contract's inspector.

Revision ID: 0014_inspector_accreditation
Revises: 0013_business_verification
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_inspector_accreditation"
down_revision: str | Sequence[str] | None = "0013_business_verification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inspector_accreditation",
        sa.Column("accreditation_id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("current_party_id", sa.String(), nullable=True),
        sa.Column("specialties_json", sa.Text(), nullable=False),
        sa.Column("affiliations_json", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("deactivation_reason", sa.Text(), nullable=True),
        sa.Column("deactivated_at", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.CheckConstraint(
            "valid_until >= valid_from", name=op.f("ck_inspector_accreditation_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_inspector_accreditation_party_id_party")
        ),
        sa.PrimaryKeyConstraint("accreditation_id", name=op.f("pk_inspector_accreditation")),
        sa.UniqueConstraint("current_party_id", name=op.f("uq_inspector_accreditation_current_party_id")),
    )
    op.create_index(
        op.f("ix_inspector_accreditation_party_id"), "inspector_accreditation", ["party_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inspector_accreditation_party_id"), table_name="inspector_accreditation")
    op.drop_table("inspector_accreditation")
