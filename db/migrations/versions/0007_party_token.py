"""Party tokens: each party's API tokens and browser sessions, each with an expiry and revocable.

The one token each party had (`party.token_hash`) moves over as an API token expiring
`CARRIED_TOKEN_DAYS` after this migration, so programs keep working until they ask for a
new one (docs/SECURITY.md, "Tokens and sessions").

Revision ID: 0007_party_token
Revises: 0006_request_record
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0007_party_token"
down_revision: str | Sequence[str] | None = "0006_request_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "party_token",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("nonce", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('api', 'session')", name=op.f("ck_party_token_kind")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_party_token_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_token")),
        sa.UniqueConstraint("party_id", "nonce", name=op.f("uq_party_token_party_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_party_token_token_hash")),
    )
    op.create_index(op.f("ix_party_token_party_id"), "party_token", ["party_id"], unique=False)
    carried = sa.text(
        "INSERT INTO party_token (id, party_id, kind, token_hash, created_at, expires_at)"
        " SELECT 'TOK-' || substr(id, 3), id, 'api', token_hash, created_at, :expires FROM party"
    ).bindparams(sa.bindparam("expires", type_=sa.DateTime(timezone=True)))
    op.get_bind().execute(carried, {"expires": datetime.now(UTC) + timedelta(days=CARRIED_TOKEN_DAYS)})
    with op.batch_alter_table("party") as batch:
        batch.drop_constraint("uq_party_token_hash", type_="unique")
        batch.drop_column("token_hash")


def downgrade() -> None:
    """Each party gets back its oldest API token; a party left with none gets a hash no secret has."""
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(), nullable=True))
    op.execute(
        "UPDATE party SET token_hash = COALESCE("
        " (SELECT token_hash FROM party_token WHERE party_token.party_id = party.id AND kind = 'api'"
        "  ORDER BY created_at, id LIMIT 1),"
        " 'none:' || id)"
    )
    with op.batch_alter_table("party") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(), nullable=False)
        batch.create_unique_constraint("uq_party_token_hash", ["token_hash"])
    op.drop_index(op.f("ix_party_token_party_id"), table_name="party_token")
    op.drop_table("party_token")
