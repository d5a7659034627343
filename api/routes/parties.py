"""Registering parties: a public key in, an API token out (db.tokens: it expires)."""

import hmac
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path
from sqlmodel import Session

from api.business_checks import licence
from api.business_models import PartyCardPublic
from api.deps import CurrentParty, SessionDep, SettingsDep, get_current_party
from api.errors import ApiError, error_responses
from api.idempotency import answer_once, header_key, idempotency_header
from api.models import PartyCreate, PartyPublic, PartyRegistered
from api.rate_limits import EnrolmentGuesses
from config.settings import Settings
from db import crud, tokens
from db.models import Party
from domain.keys import key_id
from domain.roles import Role
from domain.steps.signing import EnvelopeError, decode_public_key

router = APIRouter(prefix="/parties", tags=["parties"])
ANONYMOUS = ""  # a registration's key belongs to nobody yet: it is the form's own random draw
RegistrationKey = Annotated[
    str | None,
    idempotency_header(
        "a key the sign-in page draws when it shows the form: the same key and body asked again "
        "get the party the first request registered (201, with a fresh token); the same key with "
        "another body is refused with 409 idempotency_key_reused"
    ),
]


@router.post(
    "", status_code=201, response_model=PartyRegistered, responses=error_responses(403, 409, 422, 429)
)
def register_party(
    body: PartyCreate,
    session: SessionDep,
    settings: SettingsDep,
    guesses: EnrolmentGuesses,
    x_enrolment_secret: Annotated[str | None, Header()] = None,
    idempotency_key: RegistrationKey = None,
) -> PartyRegistered:
    """Register a party with its Ed25519 public key; the private key never leaves the party.

    With an Idempotency-Key (the sign-in page draws one when it shows the form, and keeps the
    form's key pair for the page's life), asking again with the same body answers with the party
    the first request registered and a fresh token for it: an answer lost on the way, or Back and
    submit again, never makes a second identity. The first token is not kept to be sent again
    (only hashes of tokens are stored). The key is the only thing that ties a repeat to the
    first request, so it is drawn at random per form and never shown.

    Council members sign dispute decisions that move money, so enrolling one
    needs the council's enrolment secret (`X-Enrolment-Secret`); bank staff read the
    bank's books, so they enrol with the bank's admin token as that secret. Each address has a
    few refused secrets before it must wait (`ESCROW_RATE_LIMIT_ENROLMENT_FAILURES`).

    A contractor, dealer or inspector gives its unified social credit code and legal name
    (422 naming what is wrong with the code; 409 `credit_code_taken` if another party holds it)
    and is unverified until the council checks its licence (api/routes/businesses.py).
    """
    secrets = {Role.COUNCIL: settings.council_enrolment_secret, Role.BANK: settings.bank_admin_token}
    if body.role in secrets:
        guesses.refuse_if_waiting()
        expected = secrets[body.role].get_secret_value()
        if not x_enrolment_secret or not hmac.compare_digest(x_enrolment_secret, expected):
            guesses.count_wrong()
            raise ApiError(
                403,
                "enrolment_secret_required",
                f"{body.role.value} members enrol with their organisation's secret",
            )
    credit_code, legal_name = licence(body.role, body.credit_code, body.legal_name)
    try:
        decode_public_key(body.public_key)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_public_key", str(exc)) from None
    made: dict[str, str] = {}  # the first token, when this request registered the party

    def create() -> tuple[dict[str, Any], str]:
        party, made["token"] = register(body, session, settings, credit_code, legal_name)
        return {"party_id": party.id}, party.id

    key = header_key("party.create", ANONYMOUS, idempotency_key, body.model_dump(mode="json"), "registration")
    first = answer_once(session, key=key, input_type=str, create=create)
    party = crud.get_party(session=session, party_id=first.workflow_input)
    if party is None:  # a recorded registration whose party is gone: nothing else deletes parties
        raise ApiError(409, "idempotency_key_reused", "this key's registration is gone; draw a new key")
    token = made.get("token") or fresh_token(session, settings, party)
    return PartyRegistered(party=PartyPublic.model_validate(party, from_attributes=True), token=token)


def register(
    body: PartyCreate, session: Session, settings: Settings, credit_code: str | None, legal_name: str | None
) -> tuple[Party, str]:
    """The party and its first token's secret, or the refusal of what is taken or malformed."""
    try:
        party, token = crud.create_party(
            session=session,
            role=body.role.value,
            display_name=body.display_name,
            public_key=body.public_key,
            token_lifetime=timedelta(days=settings.api_token_days),
            address=body.address,
            credit_code=credit_code,
            legal_name=legal_name,
        )
    except crud.PublicKeyTakenError:
        raise ApiError(409, "public_key_taken", "another party already registered this key") from None
    except crud.CreditCodeTakenError:
        raise ApiError(
            409, "credit_code_taken", f"another party already registered the credit code {credit_code}"
        ) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None
    return party, token


def fresh_token(session: Session, settings: Settings, party: Party) -> str:
    """Another API token for a party a repeated registration names (its first went unread)."""
    row, secret = tokens.new_token(
        party_id=party.id,
        kind="api",
        lifetime=timedelta(days=settings.api_token_days),
        key_id=key_id(party.public_key),
    )
    session.add(row)
    session.commit()
    return secret


@router.get("/me", response_model=PartyPublic, responses=error_responses(401))
def who_am_i(party: CurrentParty) -> PartyPublic:
    """The party the bearer token belongs to."""
    return PartyPublic.model_validate(party, from_attributes=True)


@router.get(
    "/{party_id}/card",
    response_model=PartyCardPublic,
    dependencies=[Depends(get_current_party)],
    responses=error_responses(401, 404),
)
def party_card(party_id: Annotated[str, Path(max_length=40)], session: SessionDep) -> PartyCardPublic:
    """Who a typed party id names, so a form shows the name, role and verification before a
    contract or case names the party.

    Any signed-in party may look (drafting a contract needs one); an anonymous reader may not,
    so the ids of consumers are no public directory of names. A party id is ten random
    characters, so looking ids up one by one finds nobody.
    """
    party = crud.get_party(session=session, party_id=party_id)
    if party is None:
        raise ApiError(
            404, "party_not_found", f"no party has the id {party_id}", params={"party_id": party_id}
        )
    return PartyCardPublic(
        id=party.id,
        role=Role(party.role),
        display_name=party.display_name,
        legal_name=party.legal_name,
        credit_code=party.credit_code,
        verified=party.verified_at is not None,
    )
