"""The council's verification of businesses (contractors, dealers, inspectors) against their licence.

The verification lives on the party row (db/models.py Party): who verified it (a council member,
or a housing association acting for one: `verified_for`), when and what was checked. Revoking
clears `verified_at` and keeps who revoked it and why in the same columns, so the row always says
what the last decision was and the waiting list shows why a revoked business is back on it.
"""

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from db.models import Party, utcnow
from domain.roles import VERIFIED_ROLES


def awaiting_verification(*, session: Session, limit: int, offset: int, query: str = "") -> list[Party]:
    """Businesses not (or no longer) verified, oldest registration first: the council's queue.
    `query` finds the one a clerk is asked about: its party id or credit code exactly, or a part of
    its display or legal name."""
    statement = (
        select(Party)
        .where(col(Party.role).in_([role.value for role in VERIFIED_ROLES]))
        .where(col(Party.verified_at).is_(None))
    )
    wanted = query.strip()
    if wanted:
        statement = statement.where(
            or_(
                col(Party.id) == wanted,
                col(Party.credit_code) == wanted.upper(),
                col(Party.display_name).contains(wanted, autoescape=True),
                col(Party.legal_name).contains(wanted, autoescape=True),
            )
        )
    ordered = statement.order_by(col(Party.created_at), col(Party.id)).offset(offset).limit(limit)
    return list(session.exec(ordered).all())


def mark_verified(
    *,
    session: Session,
    business: Party,
    verifier_id: str,
    checked: str,
    on_behalf_of: str | None = None,
    now: datetime | None = None,
) -> Party:
    """`verifier_id` a council member, or a housing association acting `on_behalf_of` the council
    member who delegated verification to it (db/delegations.py)."""
    return _decide(
        session,
        business,
        verified_at=now or utcnow(),
        by=verifier_id,
        on_behalf_of=on_behalf_of,
        note=checked,
    )


def revoke_verification(*, session: Session, business: Party, council_id: str, reason: str) -> Party:
    return _decide(session, business, verified_at=None, by=council_id, on_behalf_of=None, note=reason)


def _decide(
    session: Session,
    business: Party,
    *,
    verified_at: datetime | None,
    by: str,
    on_behalf_of: str | None,
    note: str,
) -> Party:
    """Record the last decision on the business: who made it, for whom, and what it says."""
    business.verified_at = verified_at
    business.verified_by = by
    business.verified_for = on_behalf_of
    business.verification_note = note
    session.add(business)
    session.commit()
    session.refresh(business)
    return business


def recently_verified(*, session: Session, limit: int) -> list[Party]:
    """The businesses verified last, newest first: where the council finds one to revoke."""
    statement = (
        select(Party)
        .where(col(Party.verified_at).is_not(None))
        .order_by(col(Party.verified_at).desc(), col(Party.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())
