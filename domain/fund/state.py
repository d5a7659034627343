"""A fund's money: its ledger and each movement out of it, typed for the machine and its snapshot."""

from dataclasses import dataclass
from enum import StrEnum

from domain.escrow.state import MovementStatus
from domain.open_actions import Stamp


class FundStatus(StrEnum):
    """A fund has no phases, only whether its business pledges (what receipts and lists show)."""

    PLEDGED = "pledged"
    NOT_PLEDGED = "not_pledged"


class FundMovementKind(StrEnum):
    ADVANCE = "advance"  # to a consumer, on a case the business did not comply with
    WITHDRAWAL = "withdrawal"  # back to the business, from what is above its pledge


@dataclass
class FundMovement:
    key: str  # the bank's business idempotency key, e.g. FUND-P-AB12:advance-CASE-2026-00007
    kind: FundMovementKind
    amount_fen: int
    beneficiary: str  # the consumer's party id, or the business's
    signed_by: str
    at: Stamp
    case_id: str | None = None  # an advance's case
    status: MovementStatus = MovementStatus.PENDING
    tx_id: str | None = None
    error: str | None = None


@dataclass
class FundLedger:
    """held = deposited − advanced − withdrawn, the conservation rule the chaos run checks.
    `owed_fen`: advances paid that the business has not yet made good; a deposit repays it first."""

    deposited_fen: int = 0
    advanced_fen: int = 0
    withdrawn_fen: int = 0
    owed_fen: int = 0

    @property
    def held_fen(self) -> int:
        return self.deposited_fen - self.advanced_fen - self.withdrawn_fen


def owes_more_than_it_holds(owed_fen: int, held_fen: int) -> bool:
    """The public pages' warning on a business that pledges: it has not made good what its fund
    paid for it, beyond what the fund still holds. From the two figures, so the snapshot and the
    scorecards (which read the read model's columns, not every fund's snapshot) say the same."""
    return owed_fen > held_fen
