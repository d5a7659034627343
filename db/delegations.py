"""The council's delegations of business verification to housing associations.

Issue 17 point 3: "the council (or the housing association acting for it) marks it verified".
A council member grants a delegation to one housing association's account, saying what was
checked (the agreement, who signs for the association); while it is in force that account may
see the verification queue and mark businesses verified, each verification recording the
association (`Party.verified_by`) and the council member it acted for (`Party.verified_for`).
Nothing else the council does is delegated: revoking a verification, accrediting inspectors,
deciding cases stay the council's. A council member revokes the delegation; the verifications
made under it stand (the council revokes any it doubts) and keep who made them for whom.

Transaction convention as in db/crud.py: a helper that writes commits before it returns.
"""

import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import CouncilDelegation, Party, utcnow
from domain.roles import HOUSING_ASSOCIATION

DELEGATION_ID_PREFIX = "DLG-"


class NotAHousingAssociationError(ValueError):
    """A delegation names a registered party with role housing_association."""


class AlreadyDelegatedError(ValueError):
    """The association holds a delegation in force already."""


class DelegationRevokedError(ValueError):
    """A revoked delegation stays as it was; the council grants a new one instead."""


def new_delegation_id() -> str:
    return DELEGATION_ID_PREFIX + secrets.token_hex(5).upper()


def grant(*, session: Session, delegate: Party, council_id: str, note: str) -> CouncilDelegation:
    if delegate.role != HOUSING_ASSOCIATION.value:
        raise NotAHousingAssociationError(
            f"{delegate.display_name} ({delegate.id}) is no housing association"
        )
    row = CouncilDelegation(
        id=new_delegation_id(),
        delegate_id=delegate.id,
        current_delegate_id=delegate.id,
        granted_by=council_id,
        note=note,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadyDelegatedError(
            f"{delegate.display_name} ({delegate.id}) already acts for the council"
        ) from None
    session.refresh(row)
    return row


def revoke(
    *, session: Session, delegation: CouncilDelegation, council_id: str, reason: str
) -> CouncilDelegation:
    if delegation.revoked_at is not None:
        raise DelegationRevokedError(f"the delegation {delegation.id} was revoked already")
    delegation.current_delegate_id = None
    delegation.revoked_at = utcnow()
    delegation.revoked_by = council_id
    delegation.revocation_reason = reason
    session.add(delegation)
    session.commit()
    session.refresh(delegation)
    return delegation


def get(*, session: Session, delegation_id: str) -> CouncilDelegation | None:
    return session.get(CouncilDelegation, delegation_id)


def in_force(*, session: Session, delegate_id: str) -> CouncilDelegation | None:
    """The delegation the association acts under now, if any."""
    return session.exec(
        select(CouncilDelegation).where(CouncilDelegation.current_delegate_id == delegate_id)
    ).first()


def listed(*, session: Session, limit: int, offset: int) -> list[tuple[CouncilDelegation, Party]]:
    """Every delegation with its association, those in force first, newest granted first."""
    statement = (
        select(CouncilDelegation, Party)
        .join(Party, col(Party.id) == col(CouncilDelegation.delegate_id))
        .order_by(
            col(CouncilDelegation.revoked_at).is_not(None),
            col(CouncilDelegation.granted_at).desc(),
            col(CouncilDelegation.id),
        )
        .offset(offset)
        .limit(limit)
    )
    return [(delegation, party) for delegation, party in session.exec(statement).all()]
