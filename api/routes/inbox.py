"""A party's inbox: every notification told to it, rendered in its language, newest first."""

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CurrentParty, Offset, SessionDep
from api.errors import ApiError, error_responses
from api.notify_models import InboxPublic, MarkedRead, NotificationPublic
from db import notifications as db
from db.models import Notification
from notify.kinds import MessageKind
from notify.messages import render

router = APIRouter(prefix="/parties/me/notifications", tags=["notifications"])

# Bounded like the database's integer: a larger id would overflow the driver (a 500), not miss.
NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the notification's number")]


def public(row: Notification, language: str) -> NotificationPublic:
    assert row.id is not None
    kind = MessageKind(row.kind)
    params = json.loads(row.params_json)
    message = render(kind, params, row.link, language)
    return NotificationPublic(
        id=row.id,
        kind=kind,
        subject_id=row.subject_id,
        title=message.title,
        body=message.body,
        params=params,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@router.get("", response_model=InboxPublic, responses=error_responses(401))
def list_notifications(
    party: CurrentParty,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> InboxPublic:
    """Your inbox: what the engine told you, newest first, unread ones marked."""
    language = db.preferences_of(session=session, party_id=party.id).language
    rows = db.inbox(session=session, party_id=party.id, limit=limit, offset=offset)
    return InboxPublic(
        unread=db.unread_count(session=session, party_id=party.id),
        notifications=[public(row, language) for row in rows],
    )


@router.post("/read-all", response_model=MarkedRead, responses=error_responses(401))
def read_all(party: CurrentParty, session: SessionDep) -> MarkedRead:
    """Mark every message in your inbox read."""
    return MarkedRead(marked=db.mark_read(session=session, party_id=party.id))


@router.post(
    "/{notification_id}/read", response_model=NotificationPublic, responses=error_responses(401, 404)
)
def read_one(notification_id: NotificationId, party: CurrentParty, session: SessionDep) -> NotificationPublic:
    """Mark one read (again: nothing changes); another party's is not found, whether it exists or not."""
    if db.notification_of(session=session, party_id=party.id, notification_id=notification_id) is None:
        raise ApiError(404, "notification_not_found", "the caller has no notification with this id")
    db.mark_read(session=session, party_id=party.id, notification_id=notification_id)
    row = db.notification_of(session=session, party_id=party.id, notification_id=notification_id)
    assert row is not None
    return public(row, db.preferences_of(session=session, party_id=party.id).language)
