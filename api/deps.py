"""Dependencies as `Annotated` aliases, so routes say what they need in their signature."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from temporalio.client import Client

from api.errors import ApiError
from config.settings import Settings
from db import tokens
from db.models import Party, PartyToken
from evidence.store import EvidenceStore

bearer = HTTPBearer(
    auto_error=False, description="an API token: answered at registration, or by POST /parties/me/tokens"
)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_evidence_store(request: Request) -> EvidenceStore:
    store: EvidenceStore = request.app.state.evidence_store
    return store


def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


# Far beyond any real listing; a larger offset would overflow the database's integer (a 500).
MAX_OFFSET = 1_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]


def release_connection(session: Session) -> None:
    """Give the session's pooled connection back before a route waits on Temporal.

    A Temporal call takes seconds under load and longer while the server restarts; a
    request holding its connection all that time starves the pool, and every other
    request then fails with a pool timeout (found by `escrow chaos`). Objects already
    read stay usable, detached with what was loaded; the session opens a new
    transaction if the route uses it again.
    """
    session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
EvidenceStoreDep = Annotated[EvidenceStore, Depends(get_evidence_store)]


# The browser's session cookie (web/session.py) holds a session token, never an API token.
SESSION_COOKIE = "party_session"
# Sent by the pages' scripts with every cookie-authenticated request that changes something:
# a cross-origin page cannot send it without a CORS preflight, which this app never grants.
SESSION_HEADER = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

REFUSED_TOKEN = {
    "bad_token": "this token does not belong to any registered party",
    "token_expired": "this token has expired: sign in again, or ask for a new API token",
    "token_revoked": "this token was revoked: sign in again, or ask for a new API token",
}


def check_session_header(request: Request) -> None:
    """Refuse a change that comes with the session cookie but not with `SESSION_HEADER`."""
    if request.method not in SAFE_METHODS and not request.headers.get(SESSION_HEADER):
        raise ApiError(
            403, "session_header_required", f"a signed-in page sends '{SESSION_HEADER}' with changes"
        )


@dataclass(frozen=True)
class Caller:
    """The party making the request and the token it came with."""

    party: Party
    token: PartyToken


def get_caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """An API token as `Authorization: Bearer`, or else the browser's session cookie.

    A cookie rides along with any request the browser makes, so a cookie-authenticated
    request that changes something must also carry `SESSION_HEADER` (SameSite=Strict
    already keeps other sites' requests from carrying the cookie at all).
    """
    kind: tokens.TokenKind
    if credentials is not None:
        secret, kind = credentials.credentials, "api"
    elif cookie := request.cookies.get(SESSION_COOKIE):
        check_session_header(request)
        secret, kind = cookie, "session"
    else:
        raise ApiError(401, "not_authenticated", "send the party's token as 'Authorization: Bearer ...'")
    try:
        party, token = tokens.authenticate(session=session, secret=secret, kind=kind)
    except tokens.TokenRefused as refused:
        raise ApiError(401, refused.code, REFUSED_TOKEN[refused.code]) from None
    release_connection(session)
    return Caller(party, token)


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def get_current_party(caller: CurrentCaller) -> Party:
    return caller.party


CurrentParty = Annotated[Party, Depends(get_current_party)]
