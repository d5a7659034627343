"""What a dispute case is about, fixed when it is filed: parties, money, windows."""

from dataclasses import dataclass, field
from typing import Any

from domain.steps.parties import PartyKey

RENOVATION, CAR = "renovation", "car"

# SAMR Order No. 20 art. 15: the grounds on which a complaint is not accepted, by code, with its item.
REJECTION_GROUNDS = {
    "outside_remit": "art. 15(1)",  # not the regulator's duty, or not this body's to handle
    "handled_elsewhere": "art. 15(2)",  # a court, arbitration body, regulator, consumer association or
    # mediation body has accepted or handled the same dispute
    "not_a_consumer_dispute": "art. 15(3)",  # not bought for living consumption, or no dispute shown
    "over_three_years": "art. 15(4)",  # over three years since the claimant knew or should have known
    "materials_missing": "art. 15(5)",  # what arts. 9 and 10 require is missing (e.g. no clear respondent)
    "other_grounds": "art. 15(6)",  # another ground a law, regulation or rule gives
}


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
    known_since: str | None = None  # the claimant's stated date of knowledge, YYYY-MM-DD (art. 15(4))
