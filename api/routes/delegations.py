"""The council delegates business verification to a housing association, and revokes it.

Issue 17 point 3 lets "the council (or the housing association acting for it)" mark a business
verified. A council member grants the delegation to one housing association's account (a party
registered with that role) and says what was checked; while it is in force the association may
read the verification queue and verify (api/routes/businesses.py), each verification recording
the association and the council member it acted for. Nothing else is delegated. Every route
here is the council's alone (403 `council_only`).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.business_models import DelegationCreate, DelegationPublic, DelegationRevocation
from api.deps import Offset, SessionDep
from api.errors import ApiError, error_responses
from api.routes.businesses import CouncilMember, require_council
from db import crud, delegations
from db.models import CouncilDelegation, Party

router = APIRouter(
    prefix="/delegations",
    tags=["verified businesses"],
    dependencies=[Depends(require_council)],
    responses=error_responses(401, 403),  # 403 `council_only`
)


def public(delegation: CouncilDelegation, delegate: Party) -> DelegationPublic:
    return DelegationPublic(
        id=delegation.id,
        delegate_id=delegation.delegate_id,
        delegate_name=delegate.display_name,
        granted_by=delegation.granted_by,
        granted_at=delegation.granted_at,
        note=delegation.note,
        in_force=delegation.revoked_at is None,
        revoked_by=delegation.revoked_by,
        revoked_at=delegation.revoked_at,
        revocation_reason=delegation.revocation_reason,
    )


@router.post("", status_code=201, response_model=DelegationPublic, responses=error_responses(404, 409, 422))
def grant(body: DelegationCreate, council: CouncilMember, session: SessionDep) -> DelegationPublic:
    """Let a housing association verify businesses for the council, from now until revoked.

    404 `party_not_found`; 422 `not_a_housing_association` for any other role (a contractor
    verifying its rivals, a council member who needs no delegation); 409 `already_delegated`
    while the association holds one in force.
    """
    note = body.note.strip()
    if not note:
        raise ApiError(422, "note_required", "say what the council checked before delegating")
    delegate = crud.get_party(session=session, party_id=body.party_id)
    if delegate is None:
        raise ApiError(
            404, "party_not_found", f"no party has the id {body.party_id}", params={"party_id": body.party_id}
        )
    try:
        delegation = delegations.grant(session=session, delegate=delegate, council_id=council.id, note=note)
    except delegations.NotAHousingAssociationError as exc:
        raise ApiError(422, "not_a_housing_association", str(exc)) from None
    except delegations.AlreadyDelegatedError as exc:
        raise ApiError(409, "already_delegated", str(exc)) from None
    return public(delegation, delegate)


@router.get("", response_model=list[DelegationPublic])
def list_delegations(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0
) -> list[DelegationPublic]:
    """Every delegation, those in force first, newest granted first."""
    return [public(d, p) for d, p in delegations.listed(session=session, limit=limit, offset=offset)]


@router.post(
    "/{delegation_id}/revocation", response_model=DelegationPublic, responses=error_responses(404, 409, 422)
)
def revoke(
    delegation_id: Annotated[str, Path(max_length=40)],
    body: DelegationRevocation,
    council: CouncilMember,
    session: SessionDep,
) -> DelegationPublic:
    """End the delegation at once: the association can no longer read the queue or verify. The
    verifications it made stand, each recorded with whom it acted for; 409 `delegation_revoked`."""
    reason = body.reason.strip()
    if not reason:
        raise ApiError(422, "reason_required", "say why the delegation ends")
    delegation = delegations.get(session=session, delegation_id=delegation_id)
    if delegation is None:
        raise ApiError(404, "delegation_not_found", f"no delegation has the id {delegation_id}")
    try:
        delegations.revoke(session=session, delegation=delegation, council_id=council.id, reason=reason)
    except delegations.DelegationRevokedError as exc:
        raise ApiError(409, "delegation_revoked", str(exc)) from None
    delegate = crud.get_party(session=session, party_id=delegation.delegate_id)
    assert delegate is not None  # a foreign key
    return public(delegation, delegate)
