"""A delivery is marked `sending` before its provider is called, and `unknown` when a retry finds
it so: the activity died between the provider's answer and the mark, and whether the message
arrived is not known (activities/notify.py, docs/NOTIFICATIONS.md "Delivery").

Only the status check widens. Downgrading narrows it back: a `sending` or `unknown` delivery
becomes `failed`, the only earlier status that neither sends it again nor claims it arrived.

Revision ID: 0018_delivery_sending
Revises: 0017_alert_codes
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_delivery_sending"
down_revision: str | Sequence[str] | None = "0017_alert_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "status IN ('pending', 'sent', 'failed')"
AFTER = "status IN ('pending', 'sending', 'sent', 'failed', 'unknown')"


def _status_check(condition: str) -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(batch.f("ck_delivery_status"), type_="check")
        batch.create_check_constraint(batch.f("ck_delivery_status"), condition)


def upgrade() -> None:
    _status_check(AFTER)


def downgrade() -> None:
    op.execute("UPDATE delivery SET status = 'failed' WHERE status IN ('sending', 'unknown')")
    _status_check(BEFORE)
