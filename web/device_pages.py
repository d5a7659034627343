"""A party's devices page, and the page a new device is paired on.

`/my/devices` lists the party's keys (the JSON API's `DevicePublic`), opens a pairing and
confirms it, and revokes a key; `static/devices.js` does each through the JSON API
(api/routes/keys.py) with the session cookie, signing `key.add` and `key.revoke` with the key
this browser holds. `/pair` is for the new device, which is not signed in: `static/pair.js`
takes the code (typed, or after `#` in the QR's address), makes the device's key and answers the
pairing, then signs in once the other device confirmed. Both routes only read.
"""

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.routes.keys import device
from db import keys
from web.session import PageParty, SignedInParty
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# What static/pair.js says: the page's own sentence for each refusal a pairing meets (shown by
# Steps.showError as `errors.<code>`), the party it pairs with, and how the pairing ended.
PAIRING_REFUSALS = (
    "wrong_pairing_code",
    "pairing_expired",
    "pairing_closed",
    "pairing_taken",
    "pairing_used",
    "rate_limited",
)
ROLES = ("owner", "contractor", "inspector", "council", "expert", "bank", "buyer", "dealer")
PAIR_WORDS: list[str | tuple[str, str]] = [
    "error.step",
    "pair.no_webcrypto",
    "pair.party",
    "pair.expired",
    "pair.done",
    *(f"role.{role}" for role in ROLES),
    ("errors.held_already", "pair.held_already"),
    *((f"errors.{code}", f"pair.error.{code}") for code in PAIRING_REFUSALS),
]


@router.get("/my/devices", response_class=HTMLResponse)
def devices_page(
    request: Request, party: SignedInParty, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    devices = [device(row) for row in keys.keys_of(session, party.id)]
    return render(
        request,
        "party/devices.html",
        {
            "party": party,
            "devices": devices,
            "active": sum(1 for row in devices if row.revoked_at is None),
            "pairing_minutes": settings.pairing_minutes,
        },
    )


@router.get("/pair", response_class=HTMLResponse)
def pair_page(request: Request, party: PageParty, settings: SettingsDep) -> HTMLResponse:
    context = {"party": party, "public_url": settings.public_url, "pair_words": PAIR_WORDS}
    return render(request, "party/pair.html", context)
