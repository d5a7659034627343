"""Contact channels, preferences, the inbox and deliveries (the db.crud conventions: writes commit).

A verification code is 6 digits: kept only as a SHA-256 with the channel's id (so a glance at
the table shows none), though anyone holding the database could try all million; what protects
a code is its short life (ESCROW_VERIFICATION_CODE_MINUTES) and `MAX_CODE_ATTEMPTS` wrong
guesses, after which a new code must be asked for.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import CursorResult, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from db.crud import dialect_insert, execute_write
from db.models import ContactChannel, ContactPreference, Delivery, Notification, utcnow
from notify.channels import ChannelKind
from notify.kinds import MessageKind
from notify.messages import Language, language

MAX_CODE_ATTEMPTS = 5
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class ChannelTakenError(ValueError):
    """The party already has this address as a channel of this kind."""


def code_hash(channel_id: str, code: str) -> str:
    return hashlib.sha256(f"{channel_id}:{code}".encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def add_channel(*, session: Session, party_id: str, kind: ChannelKind, address: str) -> ContactChannel:
    row = ContactChannel(
        id="CH-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(12)),
        party_id=party_id,
        kind=kind.value,
        address=address,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ChannelTakenError(f"this {kind.value} channel is already registered") from None
    session.refresh(row)
    return row


def set_code(*, session: Session, channel: ContactChannel, lifetime: timedelta) -> str:
    """A fresh code for `channel` (replacing any earlier one, with fresh attempts); the code itself
    is returned to be sent, and never kept."""
    code = new_code()
    channel.code_hash = code_hash(channel.id, code)
    channel.code_expires_at = utcnow() + lifetime
    channel.attempts = 0
    session.add(channel)
    session.commit()
    session.refresh(channel)
    return code


CodeOutcome = Literal[
    "verified", "already_verified", "no_code", "code_expired", "too_many_attempts", "wrong_code"
]


def verify_code(*, session: Session, channel: ContactChannel, code: str) -> CodeOutcome:
    """Check a code once; a wrong one spends an attempt. Commits what it changed."""
    if channel.verified_at is not None:
        return "already_verified"
    if channel.code_hash is None or channel.code_expires_at is None:
        return "no_code"
    if channel.code_expires_at <= utcnow():
        return "code_expired"
    if channel.attempts >= MAX_CODE_ATTEMPTS:
        return "too_many_attempts"
    if not hmac.compare_digest(channel.code_hash, code_hash(channel.id, code)):
        channel.attempts += 1
        session.add(channel)
        session.commit()
        return "wrong_code"
    channel.verified_at = utcnow()
    channel.code_hash = channel.code_expires_at = None
    session.add(channel)
    session.commit()
    session.refresh(channel)
    return "verified"


def channels_of(*, session: Session, party_id: str, verified_only: bool = False) -> list[ContactChannel]:
    statement = select(ContactChannel).where(ContactChannel.party_id == party_id)
    if verified_only:
        statement = statement.where(col(ContactChannel.verified_at).is_not(None))
    return list(
        session.exec(statement.order_by(col(ContactChannel.created_at), col(ContactChannel.id))).all()
    )


def channel_of(*, session: Session, party_id: str, channel_id: str) -> ContactChannel | None:
    channel = session.get(ContactChannel, channel_id)
    return channel if channel is not None and channel.party_id == party_id else None


def remove_channel(*, session: Session, channel: ContactChannel) -> None:
    """The channel and its delivery log go together (the inbox keeps every notification)."""
    session.exec(delete(Delivery).where(col(Delivery.channel_id) == channel.id))
    session.delete(channel)
    session.commit()


@dataclass(frozen=True)
class Preferences:
    language: Language
    muted: list[MessageKind]
    quiet_hours: bool


def preferences_of(*, session: Session, party_id: str) -> Preferences:
    row = session.get(ContactPreference, party_id)
    if row is None:
        return Preferences(language="zh-CN", muted=[], quiet_hours=True)
    return Preferences(
        language=language(row.language),
        muted=[MessageKind(k) for k in json.loads(row.muted_json)],
        quiet_hours=row.quiet_hours,
    )


def save_preferences(*, session: Session, party_id: str, preferences: Preferences) -> None:
    row = session.get(ContactPreference, party_id) or ContactPreference(party_id=party_id)
    row.language = preferences.language
    row.muted_json = json.dumps(sorted({kind.value for kind in preferences.muted}))
    row.quiet_hours = preferences.quiet_hours
    session.add(row)
    session.commit()


# ------------------------------------------------------------ the inbox


def record_notification(
    *,
    session: Session,
    party_id: str,
    kind: MessageKind,
    event_key: str,
    subject_id: str | None,
    params: dict[str, Any],
    link: str,
) -> Notification:
    """The inbox row of (party, event), inserted once: a second call finds the first."""
    insert = dialect_insert(session, Notification).values(
        party_id=party_id,
        kind=kind.value,
        event_key=event_key,
        subject_id=subject_id,
        params_json=json.dumps(params, sort_keys=True, ensure_ascii=False),
        link=link,
        created_at=utcnow(),
    )
    execute_write(
        session,
        insert.on_conflict_do_nothing(index_elements=["party_id", "event_key"]).returning(Notification.id),
    )
    found = session.exec(
        select(Notification).where(Notification.party_id == party_id, Notification.event_key == event_key)
    ).one()
    return found


def delivery_key(party_id: str, event_key: str, channel_id: str) -> str:
    return f"{party_id}/{event_key}/{channel_id}"


def record_deliveries(*, session: Session, notification: Notification, channel_ids: Sequence[str]) -> None:
    """A pending delivery per channel, unless one with its key exists (whatever its status)."""
    assert notification.id is not None
    for channel_id in channel_ids:
        insert = dialect_insert(session, Delivery).values(
            notification_id=notification.id,
            channel_id=channel_id,
            idempotency_key=delivery_key(notification.party_id, notification.event_key, channel_id),
            status="pending",
            attempts=0,
        )
        execute_write(
            session, insert.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(Delivery.id)
        )


def deliveries_of(*, session: Session, notification_id: int) -> list[Delivery]:
    statement = select(Delivery).where(Delivery.notification_id == notification_id).order_by(col(Delivery.id))
    return list(session.exec(statement).all())


def begin_sending(*, session: Session, delivery_id: int) -> bool:
    """Mark a pending delivery `sending`, counting the attempt, and commit, BEFORE its provider is
    called; False (nothing changed) when it is no longer pending: another attempt took it."""
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) == "pending")
        .values(status="sending", attempts=Delivery.attempts + 1)
    )
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    session.commit()
    return int(result.rowcount) == 1


def mark_delivery(
    *,
    session: Session,
    delivery_id: int,
    status: Literal["sent", "failed", "pending", "unknown"],
    error: str | None = None,
) -> None:
    """The outcome of the attempt `begin_sending` counted; `sent_at` set once sent."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status == "sent":
        values["sent_at"] = utcnow()
    session.execute(update(Delivery).where(col(Delivery.id) == delivery_id).values(**values))
    session.commit()


def inbox(*, session: Session, party_id: str, limit: int, offset: int) -> list[Notification]:
    statement = (
        select(Notification)
        .where(Notification.party_id == party_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement).all())


def unread_count(*, session: Session, party_id: str) -> int:
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.party_id == party_id, col(Notification.read_at).is_(None))
    )
    return int(session.exec(statement).one())


def mark_read(
    *, session: Session, party_id: str, notification_id: int | None = None, at: datetime | None = None
) -> int:
    """Mark one notification (or all, with no id) read; the rows that changed."""
    statement = update(Notification).where(
        col(Notification.party_id) == party_id, col(Notification.read_at).is_(None)
    )
    if notification_id is not None:
        statement = statement.where(col(Notification.id) == notification_id)
    result: CursorResult[Any] = session.execute(statement.values(read_at=at or utcnow()))  # type: ignore[assignment]
    changed = result.rowcount
    session.commit()
    return int(changed)


def notification_of(*, session: Session, party_id: str, notification_id: int) -> Notification | None:
    row = session.get(Notification, notification_id)
    return row if row is not None and row.party_id == party_id else None
