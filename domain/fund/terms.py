"""What a fund is opened with, and what a case hands it: the facts its rules are checked against."""

from dataclasses import dataclass

from domain.open_actions import Stamp
from domain.steps.parties import PartyKey

FUND_PREFIX = "FUND-"
# An overdue case the council has not paid in advance keeps the pledge from being lowered and the
# money above it from being withdrawn for this long (docs/ADVANCE_COMPENSATION.md "The fund").
CLAIM_HOLD_DAYS = 90


def fund_id_of(party_id: str) -> str:
    """A business has one fund, named for it; its bank account has the same name."""
    return FUND_PREFIX + party_id


@dataclass
class FundTerms:
    fund_id: str
    business: PartyKey
    business_role: str  # contractor | dealer: the role it signs its own steps in
    minimum_pledge_fen: int


@dataclass
class AdvanceClaim:
    """A case the fund may pay in advance, as its case machine found it (`CaseMachine.advance_claim`):
    a countersigned decision for the consumer that the business did not comply with in time."""

    case_id: str
    decision_hash: str
    claimant_id: str
    respondent_id: str
    decided_fen: int  # the most the decision gives the consumer: an advance never exceeds it
    overdue_at: Stamp
