"""What a dispute case is about, fixed when it is filed: parties, money, windows."""

from dataclasses import dataclass, field
from typing import Any

from domain.steps.parties import PartyKey

RENOVATION, CAR = "renovation", "car"


@dataclass
class CaseWindows:
    """Every window of DESIGN "Expert-panel dispute", in days unless named working days."""

    acceptance_working_days: int = 7
    answer_days: int = 5
    negotiation_days: int = 10
    strike_days: int = 2
    declaration_days: int = 2
    evidence_days: int = 7
    reply_days: int = 7
    vote_days: int = 7
    decision_target_days: int = 28
    objection_days: int = 15
    remedy_confirmation_days: int = 15


@dataclass
class ClaimItem:
    item_id: str
    description: str


@dataclass
class CaseTerms:
    case_id: str
    domain: str  # renovation | car
    main_specialty: str
    claimant: PartyKey
    respondent: PartyKey
    claimant_org: str
    respondent_org: str
    items: list[ClaimItem]
    disputed_fen: int
    remedy_sought: str
    claim_hash: str  # hash of the signed claim document
    escrow_id: str | None = None  # renovation cases decided for an escrow
    escrow_dispute: int | None = None  # that escrow's dispute number
    car_facts: dict[str, Any] | None = None  # a car claim's stated facts (expert_panels/car_claim.py)
    evidence: list[str] = field(default_factory=list)  # the files filed with the claim
    small_claim_threshold_fen: int = 500_000
    windows: CaseWindows = field(default_factory=CaseWindows)
