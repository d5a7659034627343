"""Who is reading a page: the party whose session the browser opened by signing in.

Decision (issue 12): a browser keeps no token that its page scripts can read. Signing in
proves possession of the party's own key, which the browser keeps non-extractable in
IndexedDB (`static/signing.js`): the page signs a `session.open` envelope (signer and
subject the party, empty payload, a fresh nonce, a timestamp within
`signature_max_skew_seconds` of the server's clock; `api.key_proof`) and posts it to
`POST /session`, which issues a fresh *session* token (`db.tokens`, kind `session`,
`ESCROW_SESSION_HOURS`, 12 by default) and sets it as an HttpOnly, SameSite=Strict cookie
(`Secure` when the request is HTTPS). One signed envelope opens one session: its nonce is
kept with the token. `DELETE /session` revokes that token server-side and clears the cookie;
expired and revoked sessions open nothing.

The cookie never holds an API token and an API token never opens a page: the two kinds
are not interchangeable. Page routes (GET only) read the party from the cookie; the JSON
API takes the cookie as well as `Authorization: Bearer`, so the pages' own calls (drafting
a contract, filing a claim, the bank desk) need no token in script. A cookie-authenticated
request that changes something must carry `X-Requested-With` (`api.deps.get_caller`):
SameSite=Strict keeps other sites from sending the cookie, and the custom header keeps
another origin of the same site from doing so without a CORS preflight. Signed steps need
no session at all: their signature is their authority. The registration answer's API token
is for programs; the browser drops it.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from starlette.responses import RedirectResponse

from api.deps import SESSION_COOKIE, SessionDep
from db import tokens
from db.models import Party
from web.local_path import local_path


def page_party(request: Request, session: SessionDep) -> Party | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return tokens.authenticate(session=session, secret=secret, kind="session")[0]
    except tokens.TokenRefused:
        return None


PageParty = Annotated[Party | None, Depends(page_party)]


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in party; answered with a redirect to sign-in."""


def signed_in(party: PageParty) -> Party:
    if party is None:
        raise SignInRequired
    return party


SignedInParty = Annotated[Party, Depends(signed_in)]


def to_sign_in(request: Request, _exc: Exception) -> RedirectResponse:
    """The handler for `SignInRequired` (Starlette types handlers by the base exception)."""
    back = local_path(f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path)
    return RedirectResponse(
        f"/signin?{urlencode({'next': back}, safe='/')}" if back else "/signin", status_code=303
    )
