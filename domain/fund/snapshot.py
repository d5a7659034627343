"""What a fund answers when asked where it stands: `FundMachine.snapshot()`, one typed value for the
workflow's query, the read model's `summary_json`, `GET /funds/{id}` and the pages."""

from dataclasses import dataclass

from pydantic import TypeAdapter

from domain.fund.state import FundMovement, FundStatus, owes_more_than_it_holds
from domain.fund.terms import AdvanceClaim
from domain.open_actions import Stamp
from domain.steps.machine import Alert


@dataclass
class FundLedgerSnapshot:
    deposited_fen: int
    advanced_fen: int
    withdrawn_fen: int
    owed_fen: int  # advances paid that the business has not yet made good
    held_fen: int
    pending_fen: int  # on its way out
    available_fen: int  # what an advance or a withdrawal may still take


@dataclass
class ClaimSnapshot(AdvanceClaim):
    advanced: bool  # paid in advance, or on its way


@dataclass
class FundSnapshot:
    fund_id: str
    business_id: str
    version: int
    status: FundStatus
    opened_at: Stamp
    minimum_pledge_fen: int
    pledged_fen: int
    ledger: FundLedgerSnapshot
    movements: list[FundMovement]
    claims: list[ClaimSnapshot]
    alerts: list[Alert]
    trail_head: str
    trail_length: int

    @property
    def owes_more_than_it_holds(self) -> bool:
        return owes_more_than_it_holds(self.ledger.owed_fen, self.ledger.held_fen)


_READER = TypeAdapter(FundSnapshot)


def fund_snapshot_json(snapshot: FundSnapshot) -> str:
    return _READER.dump_json(snapshot).decode()


def read_fund_summary(summary_json: str) -> FundSnapshot:
    return _READER.validate_json(summary_json)
