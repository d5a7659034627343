"""Registering parties: a public key in, an API token out (db.tokens: it expires)."""

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header

from api.deps import CurrentParty, SessionDep, SettingsDep
from api.errors import ApiError, error_responses
from api.models import PartyCreate, PartyPublic, PartyRegistered
from api.rate_limits import EnrolmentGuesses
from db import crud
from domain.roles import Role
from domain.steps.signing import EnvelopeError, decode_public_key

router = APIRouter(prefix="/parties", tags=["parties"])


@router.post("", status_code=201, response_model=PartyRegistered, responses=error_responses(403, 409, 429))
def register_party(
    body: PartyCreate,
    session: SessionDep,
    settings: SettingsDep,
    guesses: EnrolmentGuesses,
    x_enrolment_secret: Annotated[str | None, Header()] = None,
) -> PartyRegistered:
    """Register a party with its Ed25519 public key; the private key never leaves the party.

    Council members sign dispute decisions that move money, so enrolling one
    needs the council's enrolment secret (`X-Enrolment-Secret`); bank staff read the
    bank's books, so they enrol with the bank's admin token as that secret. Each address has a
    few refused secrets before it must wait (`ESCROW_RATE_LIMIT_ENROLMENT_FAILURES`).
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
    try:
        decode_public_key(body.public_key)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_public_key", str(exc)) from None
    try:
        party, token = crud.create_party(
            session=session,
            role=body.role.value,
            display_name=body.display_name,
            public_key=body.public_key,
            token_lifetime=timedelta(days=settings.api_token_days),
            address=body.address,
        )
    except crud.PublicKeyTakenError:
        raise ApiError(409, "public_key_taken", "another party already registered this key") from None
    except ValueError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None
    return PartyRegistered(party=PartyPublic.model_validate(party, from_attributes=True), token=token)


@router.get("/me", response_model=PartyPublic, responses=error_responses(401))
def who_am_i(party: CurrentParty) -> PartyPublic:
    return PartyPublic.model_validate(party, from_attributes=True)
