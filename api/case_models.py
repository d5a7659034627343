"""Response bodies of the case read model. The API never returns table models."""

from datetime import datetime

from pydantic import BaseModel, Field


class CaseFiled(BaseModel):
    """A filed case: its id, and the hash of the signed claim that anchors its trail."""

    case_id: str
    claim_hash: str


class CaseOutcomeSummary(BaseModel):
    kind: str = Field(description="split, refund or rework for a renovation case; remedy for a car case")
    pay_fen: int | None
    refund_fen: int | None
    remedy: str | None


class CaseSummary(BaseModel):
    case_id: str
    domain: str
    phase: str
    claimant_id: str
    respondent_id: str
    escrow_id: str | None
    disputed_fen: int
    outcome: CaseOutcomeSummary | None = Field(description="null until the case concludes")
    noncompliant: bool
    version: int
    filed_at: datetime
    updated_at: datetime
    waiting_for_you: bool = Field(
        description="the case awaits a step of the reader's (its open actions, as last projected)"
    )
