"""A consumer warning's draft can be discarded (docs/PUBLIC_RECORD.md "Consumer warnings"): the
state check widens to `discarded`, and the row keeps who discarded it, when and why.

Downgrading narrows it back. The earlier schema has no state for a discarded draft: turning it
back into a draft would revive it (and count the publication signatures it had), and making it
withdrawn would make it public, so a discarded warning and its signatures are deleted.

Revision ID: 0023_discarded_warnings
Revises: 0022_compensation_funds
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_discarded_warnings"
down_revision: str | Sequence[str] | None = "0022_compensation_funds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "state IN ('draft', 'published', 'withdrawn')"
AFTER = "state IN ('draft', 'published', 'withdrawn', 'discarded')"
DISCARDED = "SELECT id FROM consumer_warning WHERE state = 'discarded'"


def upgrade() -> None:
    with op.batch_alter_table("consumer_warning") as batch:
        batch.add_column(sa.Column("discarded_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("discard_reason", sa.Text(), nullable=True))
        batch.drop_constraint(batch.f("ck_consumer_warning_state"), type_="check")
        batch.create_check_constraint(batch.f("ck_consumer_warning_state"), AFTER)


def downgrade() -> None:
    op.execute(f"DELETE FROM warning_signature WHERE warning_id IN ({DISCARDED})")
    op.execute("DELETE FROM consumer_warning WHERE state = 'discarded'")
    with op.batch_alter_table("consumer_warning") as batch:
        batch.drop_constraint(batch.f("ck_consumer_warning_state"), type_="check")
        batch.create_check_constraint(batch.f("ck_consumer_warning_state"), BEFORE)
        batch.drop_column("discard_reason")
        batch.drop_column("discarded_at")
        batch.drop_column("discarded_by")
