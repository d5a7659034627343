"""Panel seats: which experts sit on which open case, so the workload cap counts real cases.

Revision ID: 0003_panel_seats
Revises: 0002_expert_registry
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_panel_seats"
down_revision: str | Sequence[str] | None = "0002_expert_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panel_seat",
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("expert_id", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.expert_id"], name=op.f("fk_panel_seat_expert_id_expert")
        ),
        sa.PrimaryKeyConstraint("case_id", "expert_id", name=op.f("pk_panel_seat")),
    )
    op.create_index(op.f("ix_panel_seat_expert_id"), "panel_seat", ["expert_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_panel_seat_expert_id"), table_name="panel_seat")
    op.drop_table("panel_seat")
