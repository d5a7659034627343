"""Who is reading a page: the party whose token the browser handed over at sign-in.

Decision: the browser keeps each party's bearer token beside its non-extractable key in
IndexedDB (`static/signing.js`). Signing in posts that token once to `POST /session`, which
sets it as an HttpOnly, SameSite=Strict cookie; page routes (GET only) read the party from
that cookie. The JSON API keeps accepting only `Authorization: Bearer`, and signed steps need
no session at all: their signature is their authority. So the cookie can show a page, never
move money, and a cross-site form cannot ride on it.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse

from api.deps import SessionDep
from db import crud
from db.models import Party
from web.local_path import local_path

SESSION_COOKIE = "party_session"


class SessionIn(BaseModel):
    token: str = Field(min_length=16, max_length=200)


def page_party(request: Request, session: SessionDep) -> Party | None:
    token = request.cookies.get(SESSION_COOKIE)
    return crud.get_party_by_token(session=session, token=token) if token else None


PageParty = Annotated[Party | None, Depends(page_party)]


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in party; answered with a redirect to sign-in."""


def signed_in(party: PageParty) -> Party:
    if party is None:
        raise SignInRequired
    return party


SignedInParty = Annotated[Party, Depends(signed_in)]


def to_sign_in(request: Request, _exc: SignInRequired) -> RedirectResponse:
    back = local_path(f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path)
    return RedirectResponse(
        f"/signin?{urlencode({'next': back}, safe='/')}" if back else "/signin", status_code=303
    )
