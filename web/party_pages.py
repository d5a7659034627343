"""Sign-in by party: choose a key kept on this device, or make one and register it."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.responses import HTMLResponse

from api.deps import SESSION_COOKIE, SessionDep, SettingsDep, check_session_header
from api.key_proof import token_for_signature
from api.models import PartyPublic, SignedStepIn
from db import tokens
from domain.roles import PARTY_ROLES, Role
from web.local_path import local_path
from web.session import PageParty
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# Roles that sign in through these pages; council and bank staff enrol with a secret (asked on the form).
PAGE_ROLES = tuple(role for role in Role if role in PARTY_ROLES)
# The roles whose registration asks for a secret (api/routes/parties.py), each named on the form by
# its own setting: the council's enrolment secret, the bank's admin token.
SECRET_ROLES = (Role.COUNCIL.value, Role.BANK.value)


@router.get("/signin", response_class=HTMLResponse)
def sign_in_page(request: Request, party: PageParty) -> HTMLResponse:
    back = local_path(request.query_params.get("next")) or ""
    return render(
        request,
        "party/signin.html",
        {
            "party": party,
            "roles": PAGE_ROLES,
            "role_keys": [f"role.{role}" for role in PAGE_ROLES],
            "secret_roles": SECRET_ROLES,
            "next": back,
        },
    )


def cookie_flags(request: Request) -> dict[str, Any]:
    """Out of page scripts' reach, never sent by another site, and only over HTTPS when served so."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}


@router.post("/session", response_model=PartyPublic)
def start_session(
    body: SignedStepIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> PartyPublic:
    """Sign in with a `session.open` envelope signed by the party's key (web/session.py)."""
    lifetime = timedelta(hours=settings.session_hours)
    party, _token, secret = token_for_signature(
        session,
        settings,
        body,
        action="session.open",
        kind="session",
        lifetime=lifetime,
    )
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=int(lifetime.total_seconds()), **cookie_flags(request)
    )
    return PartyPublic.model_validate(party, from_attributes=True)


@router.delete("/session", status_code=204)
def end_session(request: Request, session: SessionDep) -> Response:
    """Sign out: the session's token is revoked, not only forgotten by this browser."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        check_session_header(request)
        try:
            party, token = tokens.authenticate(session=session, secret=secret, kind="session")
        except tokens.TokenRefused:
            pass  # already expired, revoked or unknown: nothing left to revoke
        else:
            tokens.revoke(session=session, party_id=party.id, token_id=token.id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, **cookie_flags(request))
    return response
