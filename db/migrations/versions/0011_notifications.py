"""Notifications: contact channels, preferences, the inbox and its deliveries (docs/NOTIFICATIONS.md).

Revision ID: 0011_notifications
Revises: 0010_webhooks
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_notifications"
down_revision: str | Sequence[str] | None = "0010_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contact_channel",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("verified_at", MOMENT, nullable=True),
        sa.Column("code_hash", sa.String(), nullable=True),
        sa.Column("code_expires_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.CheckConstraint("kind IN ('email', 'sms', 'chat')", name=op.f("ck_contact_channel_kind")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_contact_channel_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_channel")),
        sa.UniqueConstraint("party_id", "kind", "address", name=op.f("uq_contact_channel_party_id")),
    )
    op.create_index(op.f("ix_contact_channel_party_id"), "contact_channel", ["party_id"], unique=False)
    op.create_table(
        "contact_preference",
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("muted_json", sa.Text(), nullable=False),
        sa.Column("quiet_hours", sa.Boolean(), nullable=False),
        sa.CheckConstraint("language IN ('zh-CN', 'en')", name=op.f("ck_contact_preference_language")),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_contact_preference_party_id_party")
        ),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_contact_preference")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=True),
        sa.Column("event_key", sa.String(), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("link", sa.String(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("read_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_notification_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("party_id", "event_key", name=op.f("uq_notification_party_id")),
    )
    op.create_index(op.f("ix_notification_party_id"), "notification", ["party_id"], unique=False)
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_delivery_status")),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["contact_channel.id"], name=op.f("fk_delivery_channel_id_contact_channel")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notification.id"], name=op.f("fk_delivery_notification_id_notification")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_delivery_idempotency_key")),
    )
    op.create_index(op.f("ix_delivery_channel_id"), "delivery", ["channel_id"], unique=False)
    op.create_index(op.f("ix_delivery_notification_id"), "delivery", ["notification_id"], unique=False)


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("notification")
    op.drop_table("contact_preference")
    op.drop_table("contact_channel")
