"""A token for whoever proves they hold a party's key: a fresh signed envelope, used once.

Signing in (`session.open`, web/party_pages.py) and asking for a new API token
(`token.issue`, api/routes/tokens.py) are both signed by the party's own key, like a step:
no token can buy another token, so a stolen one dies with its expiry. The envelope's
signer is the party and its subject too, its payload is empty, its timestamp within
`signature_max_skew_seconds` of the server's clock (api/stale_timestamp.py), and its nonce
opens one token only.

Any key the party holds now signs it (db.keys.signing_key: the party's devices, replayed from
its key events), and that key is marked used; a revoked key opens nothing.
"""

from datetime import timedelta

from sqlmodel import Session

from api import stale_timestamp
from api.errors import ApiError
from api.models import SignedStepIn
from config.settings import Settings
from db import crud, keys, tokens
from db.models import Party, PartyToken, utcnow
from db.tokens import TokenKind
from domain.steps.signing import Envelope, EnvelopeError, SignedStep, parse_envelope


def signed_envelope(body: SignedStepIn, action: str) -> tuple[SignedStep, Envelope]:
    """The envelope as signed, read, and of the action this route takes (its signature unchecked)."""
    step = SignedStep(envelope=body.envelope, signature=body.signature)
    try:
        envelope = parse_envelope(step.envelope)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_envelope", str(exc)) from None
    if envelope.action != action:
        raise ApiError(422, "action_mismatch", f"this asks for a '{action}' envelope")
    return step, envelope


def require_fresh(envelope: Envelope, settings: Settings) -> None:
    """Signed within `signature_max_skew_seconds` of the server's clock; refused with how far
    off the signer's clock is (api/stale_timestamp.py)."""
    stale_timestamp.require_fresh(envelope.timestamp, settings.signature_max_skew_seconds)


def token_for_signature(
    session: Session,
    settings: Settings,
    body: SignedStepIn,
    *,
    action: str,
    kind: TokenKind,
    lifetime: timedelta,
) -> tuple[Party, PartyToken, str]:
    """The signing party, its new token and the token's secret (shown once, kept nowhere)."""
    step, envelope = signed_envelope(body, action)
    party = crud.get_party(session=session, party_id=envelope.signer)
    key = None if party is None else keys.signing_key(session, party, step)
    if party is None or key is None:
        raise ApiError(403, "bad_signature", "the envelope must be signed by a key its signer holds")
    if envelope.subject != envelope.signer:
        raise ApiError(422, "bad_envelope", f"a '{action}' envelope names its signer as its subject")
    if envelope.payload:
        raise ApiError(422, "unknown_fields", f"a '{action}' envelope carries an empty payload")
    require_fresh(envelope, settings)
    try:
        token, secret = tokens.issue(
            session=session,
            party_id=party.id,
            kind=kind,
            lifetime=lifetime,
            nonce=envelope.nonce,
            key_id=key.id,
        )
    except tokens.NonceUsedError:
        raise ApiError(409, "nonce_reused", "this envelope was already used: sign a fresh one") from None
    keys.touch(session, key, utcnow())
    return party, token, secret
