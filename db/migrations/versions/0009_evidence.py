"""Evidence files and the trail entries that name them (docs/EVIDENCE.md).

`evidence_file`: one row per file in the evidence store, addressed by its 'sha256:' digest.
`evidence_ref`: one row per (file, escrow or case, trail entry) naming it, written by the
projection; who may read a file follows from these rows.

Revision ID: 0009_evidence
Revises: 0008_subject_id
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_evidence"
down_revision: str | Sequence[str] | None = "0008_subject_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_name", sa.String(), nullable=True),
        sa.Column("has_public_copy", sa.Boolean(), nullable=False),
        sa.Column("last_named_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('photo', 'video', 'document')", name=op.f("ck_evidence_file_kind")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_evidence_file_size_positive")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["party.id"], name=op.f("fk_evidence_file_uploaded_by_party")
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_evidence_file")),
    )
    op.create_index(op.f("ix_evidence_file_uploaded_by"), "evidence_file", ["uploaded_by"], unique=False)
    op.create_table(
        "evidence_ref",
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("signer_id", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", "subject_id", "seq", name=op.f("pk_evidence_ref")),
    )
    op.create_index(op.f("ix_evidence_ref_subject_id"), "evidence_ref", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_ref_subject_id"), table_name="evidence_ref")
    op.drop_table("evidence_ref")
    op.drop_index(op.f("ix_evidence_file_uploaded_by"), table_name="evidence_file")
    op.drop_table("evidence_file")
