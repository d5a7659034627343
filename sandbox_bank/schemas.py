"""Request and response bodies of the bank's HTTP API.

Amounts are strict integers: a JSON float or a numeric string is refused rather
than rounded, because a silently rounded fen is money appearing or vanishing.
Free text is bounded and free of control characters so odd input gets a 422,
never a database error.
"""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.money import MAX_AMOUNT_FEN

ESCROW_ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
# Reads may also name the external accounts, whose ids start with "@".
ANY_ACCOUNT_PATTERN = r"^@?[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
# The bank's own ids are `tx_` and 32 hex digits; reads accept any id of this shape and answer 404.
TX_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$"

EscrowAccountId = Annotated[str, StringConstraints(pattern=ESCROW_ACCOUNT_PATTERN)]
# One transaction at most the escrow's own bound (domain/money.py says why).
AmountFen = Annotated[int, Field(strict=True, gt=0, le=MAX_AMOUNT_FEN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountIn(Strict):
    account_id: EscrowAccountId


class DepositIn(Strict):
    amount_fen: AmountFen
    payer: Text
    reference: Text


class PayoutIn(Strict):
    """A payout to the contractor or a refund to the owner."""

    amount_fen: AmountFen
    beneficiary: Text
    reference: Text


class AccountOut(BaseModel):
    account_id: str
    balance_fen: int


class BalanceOut(AccountOut):
    deposited_fen: int
    paid_out_fen: int
    refunded_fen: int


class MovementOut(BaseModel):
    tx_id: str
    account_id: str
    kind: str
    amount_fen: int
    reference: str
    idempotency_key: str
    created_at: datetime


class StatementEntryOut(BaseModel):
    tx_id: str
    kind: str
    amount_fen: int
    idempotency_key: str
    reference: str
    created_at: datetime
    balance_after_fen: int


class StatementOut(BaseModel):
    account_id: str
    entries: list[StatementEntryOut]


class LedgerCheckOut(BaseModel):
    balanced: bool
    transactions: int
    sum_fen: int


class Faults(Strict):
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(default=0, ge=0, le=120_000)
    drop_after_commit_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    seed: int | None = None


class UnconfirmedDepositOut(BaseModel):
    """A deposit on an escrow account whose confirmation the platform has not acknowledged."""

    event_id: str
    account_id: str
    tx_id: str
    amount_fen: int
    reference: str
    deposited_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


class JournalEntryOut(BaseModel):
    tx_id: str
    account_id: str
    kind: str
    amount_fen: int
    reference: str
    idempotency_key: str
    created_at: datetime


class JournalOut(BaseModel):
    totals_fen: dict[str, int]  # kind -> amount moved on escrow accounts
    held_fen: int  # what all escrow accounts hold together
    entries: list[JournalEntryOut]  # newest first
