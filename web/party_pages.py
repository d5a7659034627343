"""Sign-in by party: choose a key kept on this device, or make one and register it."""

from fastapi import APIRouter, Request, Response
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from api.errors import ApiError
from api.models import PartyPublic
from db import crud
from web.local_path import local_path
from web.session import SESSION_COOKIE, PageParty, SessionIn
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

# Roles that sign in through these pages; council and bank staff enrol with a secret (asked on the form).
PAGE_ROLES = ("owner", "contractor", "inspector", "council", "expert", "bank", "buyer", "dealer")
EIGHT_HOURS_SECONDS = 8 * 3600


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
            "next": back,
        },
    )


@router.post("/session", response_model=PartyPublic)
def start_session(body: SessionIn, request: Request, response: Response, session: SessionDep) -> PartyPublic:
    party = crud.get_party_by_token(session=session, token=body.token)
    if party is None:
        raise ApiError(401, "bad_token", "this token does not belong to any registered party")
    response.set_cookie(
        SESSION_COOKIE,
        body.token,
        max_age=EIGHT_HOURS_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return PartyPublic.model_validate(party, from_attributes=True)


@router.delete("/session", status_code=204)
def end_session() -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response
