"""The signed-in party's inbox and contact settings.

The inbox renders each notification in the language the page is read in (the party's message
language governs mail and texts only). Marking read, adding and verifying channels and saving
preferences are the JSON API's (api/routes/inbox.py, contact.py), called by `static/inbox.js`
and `static/contact.js` with the session cookie; these routes only read.
"""

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.routes.contact import public as channel_public
from api.routes.inbox import public as notification_public
from db import notifications as db
from notify.kinds import MessageKind
from web.i18n import language_of
from web.session import SignedInParty
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

INBOX_PAGE = 100
# The kinds a party may mute (a verification code is asked for, so never muted).
MUTABLE = [kind for kind in MessageKind if kind is not MessageKind.CHANNEL_VERIFICATION]
# What static/contact.js says: the page's own sentence for the refusals a channel meets (Steps.showError).
CHANNEL_REFUSALS = (
    "bad_email",
    "bad_mobile",
    "bad_channel_url",
    "wrong_code",
    "code_expired",
    "too_many_attempts",
    "channel_taken",
    "channel_unreachable",
)
CONTACT_WORDS: list[str | tuple[str, str]] = [
    "error.step",
    *((f"errors.{code}", f"contact.error.{code}") for code in CHANNEL_REFUSALS),
]


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, party: SignedInParty, session: SessionDep) -> HTMLResponse:
    language = language_of(request)
    rows = db.inbox(session=session, party_id=party.id, limit=INBOX_PAGE, offset=0)
    return render(
        request,
        "party/inbox.html",
        {"party": party, "notes": [notification_public(row, language) for row in rows]},
    )


@router.get("/my/contact", response_class=HTMLResponse)
def contact_page(
    request: Request, party: SignedInParty, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    preferences = db.preferences_of(session=session, party_id=party.id)
    channels = [channel_public(row) for row in db.channels_of(session=session, party_id=party.id)]
    return render(
        request,
        "party/contact.html",
        {
            "party": party,
            "channels": channels,
            "preferences": preferences,
            "mutable": MUTABLE,
            "code_minutes": settings.verification_code_minutes,
            "contact_words": CONTACT_WORDS,
        },
    )
