"""What the pages show of advance-compensation funds (docs/ADVANCE_COMPENSATION.md), read from the
fund read model (db/funds.py): a case's advance for its case pages, and each business's public mark.

A case page reads the respondent's fund from the read model rather than its workflow: the case names
the claim, the fund names what it paid, and one row answers both sides and the council alike.
"""

from dataclasses import dataclass

from sqlmodel import Session

from db import funds
from db.models import FundProjection
from domain.case.snapshot import CaseSnapshot
from domain.fund.snapshot import FundSnapshot
from domain.fund.state import FundMovement, FundMovementKind, owes_more_than_it_holds
from domain.fund.terms import AdvanceClaim, fund_id_of


@dataclass
class CaseAdvance:
    """A case's claim on its business's fund: the advance paid (or on its way), else whether the
    council may still pay it (the business keeps a fund; without one nobody can)."""

    claim: AdvanceClaim
    paid: FundMovement | None
    has_fund: bool


@dataclass
class FundMark:
    """A business's mark on the public pages: what it pledges, what its fund holds when that is less
    (a promise not yet paid in is no promise a consumer can count on), and whether it owes the fund
    more than the fund holds (it has not made good what the fund paid for it)."""

    pledged_fen: int
    held_fen: int
    owes_more_than_it_holds: bool


def advance_of(fund: FundSnapshot, case_id: str) -> FundMovement | None:
    """The fund's advance on this case, if the council signed one: the latest, so one the bank
    refused and the council signed again shows as the one that paid."""
    return next(
        (m for m in reversed(fund.movements) if m.kind == FundMovementKind.ADVANCE and m.case_id == case_id),
        None,
    )


def case_advance(session: Session, case: CaseSnapshot) -> CaseAdvance | None:
    """For a case with an advance claim: what the respondent's fund did about it."""
    claim = case.advance_claim
    if claim is None:
        return None
    row = funds.get_fund(session=session, fund_id=fund_id_of(claim.respondent_id))
    paid = None if row is None else advance_of(funds.fund_snapshot(row), claim.case_id)
    return CaseAdvance(claim=claim, paid=paid, has_fund=row is not None)


def mark_of(row: FundProjection) -> FundMark:
    return FundMark(
        pledged_fen=row.pledged_fen,
        held_fen=row.held_fen,
        owes_more_than_it_holds=owes_more_than_it_holds(row.owed_fen, row.held_fen),
    )


def fund_marks(session: Session, business_ids: list[str]) -> dict[str, FundMark]:
    """The marks of these businesses that pledge, or whose fund owes more than it holds."""
    marks = {
        business: mark_of(row)
        for business, row in funds.funds_of(session=session, business_ids=business_ids).items()
    }
    return {
        business: mark
        for business, mark in marks.items()
        if mark.pledged_fen > 0 or mark.owes_more_than_it_holds
    }
