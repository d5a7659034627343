"""The audit log's and the council alerts' `escrow_id` column is renamed `subject_id`.

Both tables have held more than escrow ids since cases arrived: a case's signed steps and
its alerts are stored under its case id (CASE-...), a refused deposit's alert under the
escrow's bank account, a complaint spike's under the category or business it counts. The
column is named for what it holds; every row stays, `pk_audit_entry` keeps its two
columns, and the alerts' index is renamed with its column (`ix_council_alert_subject_id`).

The decision stops at the database and its helpers (`crud.append_audit_entries`,
`list_audit_entries`, `raise_alert` and `list_alerts` take `subject_id`). No API reply or
JSON document carried these columns, so none changes: the escrow's exported trail
(`GET /escrows/{id}/audit`) is read from its workflow and its `escrow_id` names that escrow,
as do the read models' `escrow_id` (an escrow's projection, a case's linked escrow), which
keep their name (docs/ARCHITECTURE.md, "Names in the tables").

SQLite renames by copying each table (batch mode); PostgreSQL renames in place.

Revision ID: 0008_subject_id
Revises: 0007_party_token
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_subject_id"
down_revision: str | Sequence[str] | None = "0007_party_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _rename("escrow_id", "subject_id")


def downgrade() -> None:
    _rename("subject_id", "escrow_id")


def _rename(old: str, new: str) -> None:
    """Rename the column in both tables, and the alerts' index with it (dropped first, so
    SQLite's copy of the table does not carry it over under its old name)."""
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column(old, new_column_name=new, existing_type=sa.String(), existing_nullable=False)
    op.drop_index(op.f(f"ix_council_alert_{old}"), table_name="council_alert")
    with op.batch_alter_table("council_alert") as batch:
        batch.alter_column(old, new_column_name=new, existing_type=sa.String(), existing_nullable=False)
    op.create_index(op.f(f"ix_council_alert_{new}"), "council_alert", [new], unique=False)
