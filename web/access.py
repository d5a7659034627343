"""Who may see a staff page: the signed-in party, and the roles each page admits.

A page that refuses answers with a page, not JSON: a visitor who is not signed in is sent
to the sign-in page and back afterwards (`web.session`), a signed-in party of the wrong role
gets a 403 page in their language. `PageRoute` turns the `PageRefused` a dependency raises into that
response, so the rule lives in one dependency per router rather than in every page.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from db.models import Party
from web.session import SignedInParty
from web.templating import render


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


def require_roles(*roles: str) -> Callable[[Request, Party], Party]:
    """A dependency admitting signed-in parties of these roles only (others: sign in first)."""

    def admitted(request: Request, party: SignedInParty) -> Party:
        if party.role not in roles:
            page = render(request, "denied.html", {"party": party, "roles": roles}, status_code=403)
            raise PageRefused(page)
        return party

    return admitted
