"""Dependencies as `Annotated` aliases, so routes say what they need in their signature."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from temporalio.client import Client

from api.errors import ApiError
from config.settings import Settings
from db import crud
from db.models import Party

bearer = HTTPBearer(auto_error=False, description="the token answered when the party registered")


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


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


def get_current_party(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Party:
    if credentials is None:
        raise ApiError(401, "not_authenticated", "send the party's token as 'Authorization: Bearer ...'")
    party = crud.get_party_by_token(session=session, token=credentials.credentials)
    if party is None:
        raise ApiError(401, "bad_token", "this token does not belong to any registered party")
    release_connection(session)
    return party


CurrentParty = Annotated[Party, Depends(get_current_party)]
