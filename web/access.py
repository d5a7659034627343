"""Who may see a staff page: the signed-in party, and the roles each page admits.

A page that refuses answers with a page, not JSON: a visitor who is not signed in is sent
to the sign-in page (and back afterwards), a signed-in party of the wrong role gets a 403
page in their language. `PageRoute` turns the `PageRefused` a dependency raises into that
response, so the rule lives in one dependency per router rather than in every page.
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from api.deps import SessionDep
from db import crud
from db.models import Party
from web.templating import render

SIGN_IN_PATH = "/signin"
TOKEN_COOKIE = "party_session"


class PageRefused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class PageRoute(APIRoute):
    """A route whose dependencies may refuse with a whole page (see `PageRefused`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def refusable(request: Request) -> Response:
            try:
                return await handler(request)
            except PageRefused as refused:
                return refused.response

        return refusable


def signed_in_party(request: Request, session: SessionDep) -> Party | None:
    """The party whose reading token the browser holds in its HttpOnly cookie, if any."""
    token = request.cookies.get(TOKEN_COOKIE)
    return crud.get_party_by_token(session=session, token=token) if token else None


SignedIn = Annotated[Party | None, Depends(signed_in_party)]


def require_roles(*roles: str) -> Callable[[Request, Party | None], Party]:
    """A dependency admitting signed-in parties of these roles only."""

    def admitted(request: Request, party: SignedIn) -> Party:
        if party is None:
            back = quote(request.url.path, safe="/")
            raise PageRefused(RedirectResponse(f"{SIGN_IN_PATH}?next={back}", status_code=303))
        if party.role not in roles:
            page = render(request, "denied.html", {"party": party, "roles": roles}, status_code=403)
            raise PageRefused(page)
        return party

    return admitted
