"""A party's keys (devices) and the signed events that changed them (domain/keys.py, db/keys.py).

Every party registered so far gets its registration key as its first row. A token records the
key that asked for it (`party_token.key_id`), so revoking a key revokes what it opened; tokens
issued before this revision name none and live out their time.

Revision ID: 0012_party_keys
Revises: 0011_notifications
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.keys import key_id

revision: str = "0012_party_keys"
down_revision: str | Sequence[str] | None = "0011_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "party_key",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("added_at", MOMENT, nullable=False),
        sa.Column("last_used_at", MOMENT, nullable=True),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_party_key_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_key")),
        sa.UniqueConstraint("public_key", name=op.f("uq_party_key_public_key")),
    )
    op.create_index(op.f("ix_party_key_party_id"), "party_key", ["party_id"], unique=False)
    op.create_table(
        "key_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("event_hash", sa.String(), nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_key_event_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_event")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_key_event_event_hash")),
        sa.UniqueConstraint("party_id", "seq", name=op.f("uq_key_event_party_id")),
    )
    op.create_index(op.f("ix_key_event_party_id"), "key_event", ["party_id"], unique=False)
    op.add_column("party_token", sa.Column("key_id", sa.String(), nullable=True))
    bind = op.get_bind()
    parties = bind.execute(sa.text("SELECT id, public_key, created_at FROM party")).all()
    if parties:  # created_at copied as the backend holds it (SQLite keeps text)
        bind.execute(
            sa.text(
                "INSERT INTO party_key (id, party_id, public_key, label, via, added_at)"
                " VALUES (:id, :party_id, :public_key, 'first device', 'registration', :added_at)"
            ),
            [
                {"id": key_id(key), "party_id": party_id, "public_key": key, "added_at": created_at}
                for party_id, key, created_at in parties
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("party_token") as batch:
        batch.drop_column("key_id")
    op.drop_index(op.f("ix_key_event_party_id"), table_name="key_event")
    op.drop_table("key_event")
    op.drop_index(op.f("ix_party_key_party_id"), table_name="party_key")
    op.drop_table("party_key")
