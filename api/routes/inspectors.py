"""The council's list of accredited inspectors: who may be named as a contract's inspector.

The list of inspectors accredited today is open to every signed-in party, since an
owner picks an inspector from it. The records themselves, with the affiliations the
conflict check reads, are the council's alone to read and write (403 `council_only`),
as the expert registry's are.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentParty, Offset, SessionDep
from api.errors import ApiError, error_responses
from api.idempotency import answer_once, header_key, idempotency_header
from api.inspector_models import (
    AccreditationCreate,
    AccreditationPublic,
    AccreditationsPublic,
    AccreditationUpdate,
    AccreditedInspector,
    AccreditedInspectors,
    Deactivation,
)
from api.routes.experts import affiliations_in, affiliations_out
from db import inspectors
from db.models import Party
from domain.roles import Role
from expert_panels.inspectors import Accreditation
from expert_panels.registry import InvalidExpert

AccreditationKey = Annotated[
    str | None,
    idempotency_header(
        "a key the caller draws once per accreditation form (the council's page draws one when it "
        "shows the form): the same council member, key and body asked again get the first answer "
        "(201, the same accreditation, as it was then); the same key with another body is refused "
        "with 409 idempotency_key_reused"
    ),
]


def require_council(party: CurrentParty) -> Party:
    if party.role != Role.COUNCIL.value:
        raise ApiError(403, "council_only", "only the council accredits inspectors")
    return party


router = APIRouter(prefix="/inspectors", tags=["inspector accreditation"], responses=error_responses(401))
council_router = APIRouter(
    prefix="/inspectors/accreditations",
    tags=["inspector accreditation"],
    dependencies=[Depends(require_council)],
    responses=error_responses(401, 403),  # 403 `council_only`
)


def today() -> date:
    """The day a contract drafted now is judged on (UTC, as the escrow id's year is)."""
    return datetime.now(UTC).date()


def _listed(stored: inspectors.StoredAccreditation) -> AccreditedInspector:
    a = stored.accreditation
    return AccreditedInspector(
        party_id=a.party_id,
        name=stored.inspector_name,
        specialties=sorted(a.specialties),
        valid_from=a.valid_from,
        valid_until=a.valid_until,
    )


def _public(stored: inspectors.StoredAccreditation) -> AccreditationPublic:
    a = stored.accreditation
    return AccreditationPublic(
        **_listed(stored).model_dump(),
        accreditation_id=a.accreditation_id,
        affiliations=affiliations_out(a.affiliations),
        active=not a.deactivated,
        deactivation_reason=a.deactivation_reason,
        deactivated_at=stored.deactivated_at,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def _invalid(exc: InvalidExpert) -> ApiError:
    return ApiError(422, "invalid_accreditation", f"{exc.field}: {exc.message}", details={"field": exc.field})


def _not_found(accreditation_id: str) -> ApiError:
    return ApiError(404, "accreditation_not_found", f"no accreditation {accreditation_id!r} on the list")


@router.get("", response_model=AccreditedInspectors)
def list_accredited(
    session: SessionDep,
    party: CurrentParty,
    q: Annotated[str | None, Query(max_length=200, description="part of the name, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> AccreditedInspectors:
    """The inspectors accredited today (valid, not deactivated), ordered by accreditation id:
    the ones a new contract may name, conflicts with its contractor aside."""
    found, count = inspectors.list_accreditations(
        session=session, in_force_on=today(), q=q, limit=limit, offset=offset
    )
    return AccreditedInspectors(data=[_listed(stored) for stored in found], count=count)


@council_router.post("", status_code=201, response_model=AccreditationPublic, responses=error_responses(409))
def create_accreditation(
    body: AccreditationCreate,
    party: CurrentParty,
    session: SessionDep,
    idempotency_key: AccreditationKey = None,
) -> AccreditationPublic:
    """Accredit an inspector. 409 `already_accredited` if the party holds an accreditation
    that is not deactivated (or the id is taken), 422 `invalid_accreditation` (the message
    names the field), 422 `not_an_inspector_party`.

    With an Idempotency-Key, asking again (same council member, key and body) answers 201 with
    the accreditation the first request made, where it would otherwise be `already_accredited`.
    """

    def create() -> tuple[dict[str, Any], str]:
        try:
            accreditation = Accreditation(
                accreditation_id=body.accreditation_id or inspectors.new_accreditation_id(),
                party_id=body.party_id,
                specialties=body.specialties,
                valid_from=body.valid_from,
                valid_until=body.valid_until,
                affiliations=affiliations_in(body.affiliations),
            )
            stored = inspectors.create_accreditation(session=session, accreditation=accreditation)
        except InvalidExpert as exc:
            raise _invalid(exc) from None
        except inspectors.NotAnInspectorPartyError as exc:
            raise ApiError(422, "not_an_inspector_party", str(exc)) from None
        except inspectors.AlreadyAccreditedError as exc:
            raise ApiError(409, "already_accredited", str(exc)) from None
        return _public(stored).model_dump(mode="json"), stored.accreditation.accreditation_id

    asked = body.model_dump(mode="json")
    key = header_key("accreditation.create", party.id, idempotency_key, asked, "accreditation")
    return AccreditationPublic.model_validate(
        answer_once(session, key=key, input_type=str, create=create).answer
    )


@council_router.get("", response_model=AccreditationsPublic)
def list_accreditations(
    session: SessionDep,
    party_id: Annotated[str | None, Query(max_length=100, description="one inspector's records")] = None,
    active: Annotated[bool | None, Query(description="omitted: active and deactivated")] = None,
    q: Annotated[str | None, Query(max_length=200, description="part of the name, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> AccreditationsPublic:
    """Every accreditation matching the filters, ordered by id; `count` is the total over all pages."""
    found, count = inspectors.list_accreditations(
        session=session,
        party_id=party_id,
        deactivated=None if active is None else not active,
        q=q,
        limit=limit,
        offset=offset,
    )
    return AccreditationsPublic(data=[_public(stored) for stored in found], count=count)


@council_router.get("/{accreditation_id}", response_model=AccreditationPublic, responses=error_responses(404))
def get_accreditation(accreditation_id: str, session: SessionDep) -> AccreditationPublic:
    """One inspector's accreditation (council only): specialties, validity and ties."""
    stored = inspectors.get_accreditation(session=session, accreditation_id=accreditation_id)
    if stored is None:
        raise _not_found(accreditation_id)
    return _public(stored)


@council_router.patch(
    "/{accreditation_id}", response_model=AccreditationPublic, responses=error_responses(404, 409)
)
def update_accreditation(
    accreditation_id: str, body: AccreditationUpdate, session: SessionDep
) -> AccreditationPublic:
    """Change the fields sent (`affiliations` replaces the list); renew by moving `valid_until`.
    409 `accreditation_deactivated`: a deactivated accreditation stays as it was."""
    changes: dict[str, Any] = {name: getattr(body, name) for name in body.model_fields_set}
    try:
        if "affiliations" in changes:
            changes["affiliations"] = (
                None if body.affiliations is None else affiliations_in(body.affiliations)
            )
        stored = inspectors.update_accreditation(
            session=session, accreditation_id=accreditation_id, **changes
        )
    except InvalidExpert as exc:
        raise _invalid(exc) from None
    except inspectors.AccreditationNotFoundError:
        raise _not_found(accreditation_id) from None
    except inspectors.AccreditationDeactivatedError as exc:
        raise ApiError(409, "accreditation_deactivated", str(exc)) from None
    return _public(stored)


@council_router.post(
    "/{accreditation_id}/deactivation", response_model=AccreditationPublic, responses=error_responses(404)
)
def deactivate_accreditation(
    accreditation_id: str, body: Deactivation, session: SessionDep
) -> AccreditationPublic:
    """Withdraw the accreditation: no new contract may name the inspector (contracts already
    drafted keep it). It stays listed with its reason; repeating it keeps the first reason."""
    try:
        stored = inspectors.deactivate_accreditation(
            session=session, accreditation_id=accreditation_id, reason=body.reason
        )
    except InvalidExpert as exc:
        raise _invalid(exc) from None
    except inspectors.AccreditationNotFoundError:
        raise _not_found(accreditation_id) from None
    return _public(stored)
