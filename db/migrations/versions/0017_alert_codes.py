"""Council alerts stored as a code plus parameters, rendered in each reader's language.

The English `message` column gives way to `code` (domain/alert_codes.py AlertCode) and
`params_json`. An alert raised before keeps its sentence: it becomes code `legacy` with the
sentence as its `text` parameter, which every language shows as it was written. Downgrading
writes a sentence back: the `text` of a legacy alert, else the code and its parameters.

Revision ID: 0017_alert_codes
Revises: 0016_key_recovery
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_alert_codes"
down_revision: str | Sequence[str] | None = "0016_key_recovery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "legacy"
ALERTS = sa.table(
    "council_alert",
    sa.column("id", sa.Integer()),
    sa.column("message", sa.Text()),
    sa.column("code", sa.String()),
    sa.column("params_json", sa.Text()),
)


def upgrade() -> None:
    op.add_column("council_alert", sa.Column("code", sa.String(), nullable=False, server_default=LEGACY))
    op.add_column("council_alert", sa.Column("params_json", sa.Text(), nullable=False, server_default="{}"))
    connection = op.get_bind()
    for alert_id, message in connection.execute(sa.select(ALERTS.c.id, ALERTS.c.message)).all():
        params = json.dumps({"text": message}, ensure_ascii=False)
        connection.execute(ALERTS.update().where(ALERTS.c.id == alert_id).values(params_json=params))
    with op.batch_alter_table("council_alert") as batch:
        batch.alter_column("code", server_default=None)
        batch.alter_column("params_json", server_default=None)
        batch.drop_column("message")


def downgrade() -> None:
    op.add_column("council_alert", sa.Column("message", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.select(ALERTS.c.id, ALERTS.c.code, ALERTS.c.params_json)).all()
    for alert_id, code, params_json in rows:
        params = json.loads(params_json)
        message = params["text"] if code == LEGACY else f"{code}: {json.dumps(params, ensure_ascii=False)}"
        connection.execute(ALERTS.update().where(ALERTS.c.id == alert_id).values(message=message))
    with op.batch_alter_table("council_alert") as batch:
        batch.alter_column("message", server_default=None)
        batch.drop_column("params_json")
        batch.drop_column("code")
