"""Dependencies as `Annotated` aliases, so routes say what they need in their signature."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
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
    """Objects stay readable after a commit, so a route that committed does not reopen a
    transaction (and hold a pooled connection) just to read them while it awaits Temporal."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


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
    # End the read transaction: its pooled connection goes back now, not after the route's
    # Temporal call (held across that await, 16 concurrent requests exhausted the pool).
    session.commit()
    if party is None:
        raise ApiError(401, "bad_token", "this token does not belong to any registered party")
    return party


CurrentParty = Annotated[Party, Depends(get_current_party)]
