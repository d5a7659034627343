"""Initial schema: parties, escrow projections, audit log, council alerts, id sequences.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "party",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("public_key", name=op.f("uq_party_public_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_party_token_hash")),
    )

    op.create_table(
        "escrow_projection",
        sa.Column("escrow_id", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("contractor_id", sa.String(), nullable=False),
        sa.Column("inspector_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("current_stage", sa.Integer(), nullable=True),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("deposited_fen", sa.BigInteger(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.Column("held_fen", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "total_fen >= 0 AND deposited_fen >= 0 AND released_fen >= 0"
            " AND refunded_fen >= 0 AND held_fen >= 0",
            name=op.f("ck_escrow_projection_amounts_non_negative"),
        ),
        sa.CheckConstraint(
            "deposited_fen = released_fen + refunded_fen + held_fen",
            name=op.f("ck_escrow_projection_conservation"),
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["party.id"], name=op.f("fk_escrow_projection_owner_id_party")),
        sa.ForeignKeyConstraint(
            ["contractor_id"], ["party.id"], name=op.f("fk_escrow_projection_contractor_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["party.id"], name=op.f("fk_escrow_projection_inspector_id_party")
        ),
        sa.PrimaryKeyConstraint("escrow_id", name=op.f("pk_escrow_projection")),
    )
    for column in ("owner_id", "contractor_id", "inspector_id"):
        op.create_index(op.f(f"ix_escrow_projection_{column}"), "escrow_projection", [column], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("escrow_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("signer_id", sa.String(), nullable=False),
        sa.Column("signer_role", sa.String(), nullable=False),
        sa.Column("entry_hash", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=True),
        sa.Column("envelope_json", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("escrow_id", "seq", name=op.f("pk_audit_entry")),
    )

    op.create_table(
        "council_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escrow_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("business_key", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_alert")),
        sa.UniqueConstraint("business_key", name=op.f("uq_council_alert_business_key")),
    )
    op.create_index(op.f("ix_council_alert_escrow_id"), "council_alert", ["escrow_id"], unique=False)

    op.create_table(
        "id_sequence",
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_id_sequence")),
    )


def downgrade() -> None:
    op.drop_table("id_sequence")
    op.drop_index(op.f("ix_council_alert_escrow_id"), table_name="council_alert")
    op.drop_table("council_alert")
    op.drop_table("audit_entry")
    for column in ("owner_id", "contractor_id", "inspector_id"):
        op.drop_index(op.f(f"ix_escrow_projection_{column}"), table_name="escrow_projection")
    op.drop_table("escrow_projection")
    op.drop_table("party")
