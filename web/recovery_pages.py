"""Key recovery pages (docs/RECOVERY.md): the council's desk and list, and the new device's page.

The desk (`/council/recoveries/{id}`) is where a clerk records the identity check and two members
sign, each in their own browser with their own key (static/recovery_desk.js calls the JSON API,
api/routes/key_recovery.py). The new device's page (`/recover`) makes the key and asks; its
request's page (`/recover/{id}`) shows where it stands to whoever holds the id, and offers a
device that still holds one of the party's keys the cancellation (static/recover.js).
"""

import json
from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.key_recovery_models import DocumentKind
from db import crud
from db import key_recovery as requests
from db.models import KeyRecoveryRecord, Party
from domain.keys import key_id
from web.access import PageRoute, require_roles
from web.i18n import translator
from web.templating import render

council_router = APIRouter(
    prefix="/council/recoveries", tags=["pages"], include_in_schema=False, route_class=PageRoute
)
router = APIRouter(prefix="/recover", tags=["pages"], include_in_schema=False)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
DOCUMENT_KINDS = get_args(DocumentKind)
LISTED = 200
# What static/recover.js and recovery_desk.js say (Steps.showError): a refusal's own sentence where
# the page has one for its code.
RECOVER_REFUSALS = (
    "no_possession",
    "party_not_found",
    "too_many_recoveries",
    "rate_limited",
    "recovery_not_for_staff",
)
RECOVER_WORDS: list[str | tuple[str, str]] = [
    "error.step",
    ("errors.holds_key", "recover.holds_key"),
    *((f"errors.{code}", f"recover.error.{code}") for code in RECOVER_REFUSALS),
]
RECOVERY_DESK_WORDS = ["error.step", "errors.no_key_here"]


@council_router.get("", response_class=HTMLResponse)
def recoveries(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    state: Annotated[str | None, Query(max_length=20)] = None,
    find: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Every request with its state, newest first; `find` goes straight to the request typed in."""
    state = state if state in requests.STATES else None
    if find:
        found = requests.get_request(session=session, request_id=find.strip().upper())
        if found is not None:
            return RedirectResponse(f"/council/recoveries/{found.id}", status_code=303)
    rows = requests.list_requests(
        session=session, states=(state,) if state else requests.STATES, limit=LISTED
    )
    names = {p.id: p.display_name for p in crud.list_parties(session=session, ids=[r.party_id for r in rows])}
    context = {
        "party": member,
        "rows": rows,
        "names": names,
        "states": requests.STATES,
        "state": state,
        "find": find or "",
        "not_found": bool(find),
    }
    return render(request, "council/recoveries.html", context)


@council_router.get("/{request_id}", response_class=HTMLResponse)
def recovery_desk(
    request: Request, request_id: str, member: CouncilMember, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """One request: who asked for which party, the identity check form, and the member's signature
    the request waits for (approve, then bind by another member). The members who checked and
    signed are shown by name, their party id beside it, as the clerk knows them."""
    row = requests.get_request(session=session, request_id=request_id)
    if row is None:
        return _not_found(request, {"party": member})
    holder = crud.get_party(session=session, party_id=row.party_id)
    members = [i for i in (row.checked_by, row.approved_by, row.bound_by) if i]
    context = {
        "party": member,
        "row": row,
        "holder": holder,
        "names": {p.id: p.display_name for p in crud.list_parties(session=session, ids=members)},
        "key_id": key_id(row.public_key),
        "document_kinds": DOCUMENT_KINDS,
        "waiting_hours": settings.recovery_waiting_hours,
        "signing": _signing_data(row),
        "may_approve": row.state == requests.CHECKED and bool(row.photo_matched and row.name_matched),
        "may_bind": row.state == requests.APPROVED and row.approved_by != member.id,
        "desk_words": RECOVERY_DESK_WORDS,
    }
    return render(request, "council/recovery.html", context)


def _signing_data(row: KeyRecoveryRecord) -> str:
    """What the members' browsers sign over: the recorded approval and the new key's pairing."""
    stored = {
        "pairing": json.loads(row.pairing),
        "approval": json.loads(row.approval) if row.approval else None,
    }
    return json.dumps(stored, ensure_ascii=False)


@router.get("", response_class=HTMLResponse)
def ask(request: Request) -> HTMLResponse:
    """The new device asks: the party's id and a name for the device; the key is made here."""
    return render(request, "recover/ask.html", {"recover_words": RECOVER_WORDS})


@router.get("/{request_id}", response_class=HTMLResponse)
def asked(request: Request, request_id: str, session: SessionDep) -> HTMLResponse:
    """Where one request stands, for whoever holds its id; nothing the council recorded is shown."""
    row = requests.get_request(session=session, request_id=request_id)
    if row is None:
        return _not_found(request, {})
    context = {"row": row, "key_id": key_id(row.public_key), "recover_words": RECOVER_WORDS}
    return render(request, "recover/request.html", context)


def _not_found(request: Request, context: dict[str, object]) -> HTMLResponse:
    words = {"message": translator(request)("recovery.not_found"), "code": "recovery_not_found"}
    return render(request, "problem.html", context | words, 404)
