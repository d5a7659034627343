"""The council verifies businesses: the queue of those awaiting it, verifying one, revoking it.

A contractor, dealer or inspector registers with the unified social credit code and legal name
on its business licence (api/routes/parties.py); a council member checks the licence (the
original, or the national enterprise credit publicity system) and records what was checked.
Only a verified business can be named in a new contract or case or printed by name on the
public record. The queue and verifying are also open to a housing association while the
council's delegation to it is in force (api/routes/delegations.py); revoking is the council's
alone (403 `council_only`).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlmodel import Session

from api.business_models import BusinessPublic, RevocationIn, VerificationIn
from api.deps import CurrentParty, Offset, SessionDep
from api.errors import ApiError, error_responses
from db import businesses, crud, delegations
from db.models import Party
from domain.roles import HOUSING_ASSOCIATION, VERIFIED_ROLES, Role


def require_council(party: CurrentParty) -> Party:
    if party.role != Role.COUNCIL.value:
        raise ApiError(403, "council_only", "only a council member does this")
    return party


@dataclass(frozen=True)
class Verifier:
    """Who marks a business verified: a council member (`on_behalf_of` None), or a housing
    association acting for the council member who delegated verification to it."""

    party: Party
    on_behalf_of: str | None


def require_verifier(party: CurrentParty, session: SessionDep) -> Verifier:
    if party.role == Role.COUNCIL.value:
        return Verifier(party, None)
    if party.role == HOUSING_ASSOCIATION.value:
        delegation = delegations.in_force(session=session, delegate_id=party.id)
        if delegation is None:
            raise ApiError(
                403, "delegation_not_in_force", "the council's delegation to this association is not in force"
            )
        return Verifier(party, delegation.granted_by)
    raise ApiError(
        403, "council_only", "only the council, or a housing association acting for it, verifies businesses"
    )


CouncilMember = Annotated[Party, Depends(require_council)]
VerifierDep = Annotated[Verifier, Depends(require_verifier)]
BusinessId = Annotated[str, Path(max_length=40)]

router = APIRouter(
    prefix="/businesses",
    tags=["verified businesses"],
    # 403 `council_only`; a housing association without a delegation in force: `delegation_not_in_force`
    responses=error_responses(401, 403),
)


def public(business: Party) -> BusinessPublic:
    return BusinessPublic.model_validate(business, from_attributes=True)


def _business(session: Session, party_id: str) -> Party:
    party = crud.get_party(session=session, party_id=party_id)
    if party is None or Role(party.role) not in VERIFIED_ROLES:
        raise ApiError(
            404,
            "business_not_found",
            f"no contractor, dealer or inspector has the id {party_id}",
            params={"party_id": party_id},
        )
    return party


@router.get("/awaiting", response_model=list[BusinessPublic], dependencies=[Depends(require_verifier)])
def awaiting(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0
) -> list[BusinessPublic]:
    """Businesses not verified yet, or whose verification was revoked (the note says why), oldest first."""
    found = businesses.awaiting_verification(session=session, limit=limit, offset=offset)
    return [public(business) for business in found]


@router.post(
    "/{party_id}/verification", response_model=BusinessPublic, responses=error_responses(404, 409, 422)
)
def verify(
    party_id: BusinessId, body: VerificationIn, verifier: VerifierDep, session: SessionDep
) -> BusinessPublic:
    """Mark a business verified after checking its licence; records who, for whom (a housing
    association acts for the council member who delegated to it), when and what was checked.

    409 `credit_code_missing` for a business registered before codes were asked for: the
    council cannot check a licence against nothing (it registers again with its code).
    409 `already_verified`: a second verification would overwrite who checked it first.
    """
    business = _business(session, party_id)
    if business.credit_code is None:
        raise ApiError(
            409,
            "credit_code_missing",
            f"{business.display_name} ({business.id}) registered without a credit code",
        )
    if business.verified_at is not None:
        raise ApiError(
            409, "already_verified", f"{business.display_name} ({business.id}) is already verified"
        )
    checked = body.checked.strip()
    if not checked:
        raise ApiError(422, "checked_required", "say what was checked on the licence")
    return public(
        businesses.mark_verified(
            session=session,
            business=business,
            verifier_id=verifier.party.id,
            checked=checked,
            on_behalf_of=verifier.on_behalf_of,
        )
    )


@router.post(
    "/{party_id}/revocation", response_model=BusinessPublic, responses=error_responses(404, 409, 422)
)
def revoke(
    party_id: BusinessId, body: RevocationIn, council: CouncilMember, session: SessionDep
) -> BusinessPublic:
    """Withdraw a verification (licence revoked, found false): the business can no longer be named
    in a new contract or case; contracts and cases already running go on."""
    business = _business(session, party_id)
    if business.verified_at is None:
        raise ApiError(409, "not_verified", f"{business.display_name} ({business.id}) is not verified")
    reason = body.reason.strip()
    if not reason:
        raise ApiError(422, "reason_required", "say why the verification is withdrawn")
    return public(
        businesses.revoke_verification(
            session=session, business=business, council_id=council.id, reason=reason
        )
    )
