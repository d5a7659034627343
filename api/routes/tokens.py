"""A party's own tokens: list the live ones, revoke any, and ask for a new API token by signature."""

from datetime import timedelta

from fastapi import APIRouter

from api.deps import Caller, CurrentCaller, SessionDep, SettingsDep
from api.errors import ApiError, error_responses
from api.key_proof import token_for_signature
from api.models import SignedStepIn, TokenIssued, TokenPublic
from db import tokens
from db.models import PartyToken

router = APIRouter(prefix="/parties/me/tokens", tags=["parties"])


def public(token: PartyToken, caller: Caller | None = None) -> TokenPublic:
    return TokenPublic(
        id=token.id,
        kind=tokens.kind_of(token),
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        current=caller is not None and caller.token.id == token.id,
    )


@router.get("", response_model=list[TokenPublic], responses=error_responses(401))
def list_tokens(caller: CurrentCaller, session: SessionDep) -> list[TokenPublic]:
    """The caller's tokens that still open something (neither expired nor revoked), newest first."""
    return [public(token, caller) for token in tokens.list_live(session=session, party_id=caller.party.id)]


@router.post("", status_code=201, response_model=TokenIssued, responses=error_responses(403, 409))
def issue_api_token(body: SignedStepIn, session: SessionDep, settings: SettingsDep) -> TokenIssued:
    """A new API token for the party that signed a `token.issue` envelope (subject: its own id,
    empty payload). The signature is the authority, not a token: an old token cannot renew itself."""
    _party, token, secret = token_for_signature(
        session,
        settings,
        body,
        action="token.issue",
        kind="api",
        lifetime=timedelta(days=settings.api_token_days),
    )
    return TokenIssued(**public(token).model_dump(), token=secret)


@router.post("/{token_id}/revocation", response_model=TokenPublic, responses=error_responses(401, 403, 404))
def revoke_token(token_id: str, caller: CurrentCaller, session: SessionDep) -> TokenPublic:
    """Revoke one of the caller's tokens, the one it calls with included; revoking again
    changes nothing. Another party's token is not found, whether or not it exists."""
    token = tokens.revoke(session=session, party_id=caller.party.id, token_id=token_id)
    if token is None:
        raise ApiError(404, "token_not_found", "the caller has no token with this id")
    return public(token, caller)
