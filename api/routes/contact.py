"""A party's contact channels and message preferences (docs/NOTIFICATIONS.md).

A channel is added unverified and a 6-digit code is sent over it at once, in the party's
language; it carries messages only once that code comes back (`POST /{id}/verify`). The code
is sent from here, not from a workflow: the person is waiting on the page for it.
"""

import math
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from api.deps import CurrentParty, SessionDep, SettingsDep
from api.errors import ApiError, error_responses
from api.idempotency import answer_once, header_key, idempotency_header
from api.notify_models import ChannelCreate, ChannelPublic, CodeIn, PreferencesPublic
from config.settings import Settings
from db import notifications as db
from db.models import ContactChannel, Party, utcnow
from notify.channels import ChannelKind, ChannelRefused, masked, normalise
from notify.kinds import MessageKind
from notify.messages import render
from notify.providers import providers
from notify.send import DeliveryFailed, send

router = APIRouter(prefix="/parties/me", tags=["notifications"])

MAX_CHANNELS = 10
# One code a minute per channel: resending is how a party recovers from a lost or expired code,
# not a way to fill someone else's mailbox or phone with codes.
RESEND_AFTER = timedelta(minutes=1)
REFUSED_CODE = {
    "already_verified": (409, "this channel is verified already"),
    "no_code": (409, "no code was sent for this channel: ask for one"),
    "code_expired": (422, "this code has expired: ask for a new one"),
    "too_many_attempts": (409, "too many wrong codes: ask for a new one"),
    "wrong_code": (422, "this is not the code that was sent"),
}


ChannelKey = Annotated[
    str | None,
    idempotency_header(
        "a key the caller draws once per channel form (the contact page draws one when it shows the "
        "form): the same party, key and body asked again get the channel the first request added "
        "(201, as it is now; no second code is sent); the same key with another body is refused "
        "with 409 idempotency_key_reused"
    ),
]


def public(channel: ContactChannel) -> ChannelPublic:
    kind = ChannelKind(channel.kind)
    return ChannelPublic(
        id=channel.id,
        kind=kind,
        address=masked(kind, channel.address),
        verified_at=channel.verified_at,
        code_expires_at=channel.code_expires_at,
        created_at=channel.created_at,
    )


def send_code(session: Session, settings: Settings, party: Party, channel: ContactChannel) -> None:
    """A fresh code over the channel itself; a provider that does not take it is a 503 (the
    channel stays, and `POST /{id}/code` tries again)."""
    minutes = settings.verification_code_minutes
    code = db.set_code(session=session, channel=channel, lifetime=timedelta(minutes=minutes))
    language = db.preferences_of(session=session, party_id=party.id).language
    message = render(MessageKind.CHANNEL_VERIFICATION, {"code": code, "minutes": minutes}, "", language)
    try:
        send(
            providers(settings).url_for(ChannelKind(channel.kind), channel.address),
            message.title,
            message.body,
        )
    except DeliveryFailed as failed:
        raise ApiError(503, "channel_unreachable", f"the code could not be sent: {failed.reason}") from None


def own_channel(session: Session, party: Party, channel_id: str) -> ContactChannel:
    channel = db.channel_of(session=session, party_id=party.id, channel_id=channel_id)
    if channel is None:
        raise ApiError(404, "channel_not_found", "the caller has no channel with this id")
    return channel


@router.post(
    "/channels", status_code=201, response_model=ChannelPublic, responses=error_responses(401, 409, 503)
)
def add_channel(
    body: ChannelCreate,
    party: CurrentParty,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: ChannelKey = None,
) -> ChannelPublic:
    """Add an email, a +86 mobile or a chat bot URL; a 6-digit code is sent over it at once.
    Refused: `bad_email`, `bad_mobile`, `bad_channel_url` (not a WeCom bot, DingTalk or Feishu
    URL apprise can use).

    With an Idempotency-Key, asking again (same party, key and body) answers 201 with the channel
    the first request added, where it would otherwise be `channel_taken`."""

    def create() -> tuple[dict[str, Any], str]:
        try:
            address = normalise(body.kind, body.address)
        except ChannelRefused as refused:
            raise ApiError(422, refused.code, refused.reason) from None
        if len(db.channels_of(session=session, party_id=party.id)) >= MAX_CHANNELS:
            raise ApiError(409, "too_many_channels", f"a party keeps at most {MAX_CHANNELS} channels")
        try:
            channel = db.add_channel(session=session, party_id=party.id, kind=body.kind, address=address)
        except db.ChannelTakenError as taken:
            raise ApiError(409, "channel_taken", str(taken)) from None
        return public(channel).model_dump(mode="json"), channel.id

    key = header_key("channel.create", party.id, idempotency_key, body.model_dump(mode="json"), "channel")
    first = answer_once(session, key=key, input_type=str, create=create)
    channel = own_channel(session, party, first.workflow_input)
    if not first.repeated:
        send_code(session, settings, party, channel)
    return public(channel)


@router.get("/channels", response_model=list[ChannelPublic], responses=error_responses(401))
def list_channels(party: CurrentParty, session: SessionDep) -> list[ChannelPublic]:
    """Your contact channels (email, mobile, chat), verified or waiting for their code."""
    return [public(channel) for channel in db.channels_of(session=session, party_id=party.id)]


@router.post(
    "/channels/{channel_id}/code",
    response_model=ChannelPublic,
    responses=error_responses(401, 404, 409, 429, 503),
)
def resend_code(
    channel_id: str, party: CurrentParty, session: SessionDep, settings: SettingsDep
) -> ChannelPublic:
    """A new code (the earlier one stops working, and the wrong guesses start again); at most one
    a minute (429 `code_sent_recently` with `Retry-After`)."""
    channel = own_channel(session, party, channel_id)
    if channel.verified_at is not None:
        raise ApiError(409, "already_verified", "this channel is verified already")
    if channel.code_expires_at is not None:
        sent_at = channel.code_expires_at - timedelta(minutes=settings.verification_code_minutes)
        wait = (sent_at + RESEND_AFTER - utcnow()).total_seconds()
        if wait > 0:
            retry_after = {"Retry-After": str(math.ceil(wait))}
            raise ApiError(429, "code_sent_recently", "a code was sent less than a minute ago", retry_after)
    send_code(session, settings, party, channel)
    return public(channel)


@router.post(
    "/channels/{channel_id}/verify", response_model=ChannelPublic, responses=error_responses(401, 404, 409)
)
def verify_channel(channel_id: str, body: CodeIn, party: CurrentParty, session: SessionDep) -> ChannelPublic:
    """The code sent over the channel: right, it is verified; wrong, one of five guesses is spent."""
    channel = own_channel(session, party, channel_id)
    outcome = db.verify_code(session=session, channel=channel, code=body.code)
    if outcome != "verified":
        status, message = REFUSED_CODE[outcome]
        raise ApiError(status, outcome, message)
    return public(channel)


@router.delete("/channels/{channel_id}", status_code=204, responses=error_responses(401, 404))
def remove_channel(channel_id: str, party: CurrentParty, session: SessionDep) -> Response:
    """Remove one of your contact channels; nothing more is sent to it."""
    db.remove_channel(session=session, channel=own_channel(session, party, channel_id))
    return Response(status_code=204)


@router.get("/preferences", response_model=PreferencesPublic, responses=error_responses(401))
def get_preferences(party: CurrentParty, session: SessionDep) -> PreferencesPublic:
    """Your language, quiet hours and the kinds of message you muted."""
    saved = db.preferences_of(session=session, party_id=party.id)
    return PreferencesPublic(language=saved.language, muted=saved.muted, quiet_hours=saved.quiet_hours)


@router.put("/preferences", response_model=PreferencesPublic, responses=error_responses(401))
def put_preferences(body: PreferencesPublic, party: CurrentParty, session: SessionDep) -> PreferencesPublic:
    """All three at once: the language, the muted kinds (a verification code is never muted), quiet hours."""
    muted: list[MessageKind] = [kind for kind in body.muted if kind is not MessageKind.CHANNEL_VERIFICATION]
    preferences = db.Preferences(language=body.language, muted=muted, quiet_hours=body.quiet_hours)
    db.save_preferences(session=session, party_id=party.id, preferences=preferences)
    return get_preferences(party, session)
