"""Expert registry: experts, their specialties and their dated affiliations.

Revision ID: 0002_expert_registry
Revises: 0001_initial
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_expert_registry"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert",
        sa.Column("expert_id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("open_cases >= 0", name=op.f("ck_expert_open_cases_non_negative")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_expert_party_id_party")),
        sa.PrimaryKeyConstraint("expert_id", name=op.f("pk_expert")),
        sa.UniqueConstraint("party_id", name=op.f("uq_expert_party_id")),
    )
    op.create_index(op.f("ix_expert_domain"), "expert", ["domain"], unique=False)

    op.create_table(
        "expert_specialty",
        sa.Column("expert_id", sa.String(), nullable=False),
        sa.Column("specialty", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.expert_id"], name=op.f("fk_expert_specialty_expert_id_expert")
        ),
        sa.PrimaryKeyConstraint("expert_id", "specialty", name=op.f("pk_expert_specialty")),
    )

    op.create_table(
        "expert_affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.String(), nullable=False),
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('employed', 'paid')", name=op.f("ck_expert_affiliation_kind")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_expert_affiliation_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.expert_id"], name=op.f("fk_expert_affiliation_expert_id_expert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_affiliation")),
    )
    for column in ("expert_id", "org_id"):
        op.create_index(op.f(f"ix_expert_affiliation_{column}"), "expert_affiliation", [column], unique=False)


def downgrade() -> None:
    for column in ("expert_id", "org_id"):
        op.drop_index(op.f(f"ix_expert_affiliation_{column}"), table_name="expert_affiliation")
    op.drop_table("expert_affiliation")
    op.drop_table("expert_specialty")
    op.drop_index(op.f("ix_expert_domain"), table_name="expert")
    op.drop_table("expert")
