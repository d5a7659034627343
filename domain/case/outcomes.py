"""What a case concludes, typed: the panel's decision document, the outcome, the objection, and
what the council's `dispute.decide` for the escrow must say.

Each type's field order is the key order of the JSON the case has always shown (the read model and
`GET /cases/{id}`), and of the decision document every panel member signs: its hash is taken over
`decision_document(...)`, the same keys and values in the same order as before these were typed.

Decision: an outcome's shape says where it came from (a settlement, a panel decision, or nothing
decided: withdrawn or its escrow cancelled), so it is one of three types told apart by `source`;
a reader reads the fields they share. A decision on a car claim that states its facts also weighs
the statutory remedy (`StatutoryDecision`); older decisions have no such keys, and keep their hash.
"""

from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

from pydantic import Field


@dataclass
class PanelDecision:
    """The document every panel member signs and the council countersigns."""

    case_id: str
    round: int
    findings: dict[str, str]  # item id -> "upheld" | "rejected"
    dissent: dict[str, list[str]]  # item id -> members who found otherwise
    tie_broken_by_chair: list[str]
    pay_fen: int | None  # None: the decision moves no money (a car remedy)
    refund_fen: int | None
    reasons: dict[str, str]  # member -> written reasons
    summary: str
    outcome: str  # split | refund | rework | remedy
    rework_days: int
    remedy: str  # a car remedy, "-" for a renovation


@dataclass
class StatutoryDecision(PanelDecision):
    """A decision on a car claim that states its facts: what the regulation gives, and why the panel
    departs from it (None when it does not)."""

    statutory_remedy: dict[str, Any]  # expert_panels.car_claim.claimed_remedy
    departure_reason: str | None


# First the subtype: a reader of JSON takes the statutory decision when its keys are there.
Decision = StatutoryDecision | PanelDecision


def decision_document(decision: PanelDecision) -> dict[str, Any]:
    """The decision as signed: what `decision_hash` is taken over."""
    return asdict(decision)


@dataclass
class SettledOutcome:
    source: Literal["settlement"]
    outcome: str  # split | refund
    pay_fen: int
    refund_fen: int
    remedy: str
    rework_days: int


@dataclass
class DecidedOutcome:
    """A panel decision that concluded the case. `expert_opinion`: it concluded after the mediation
    period of SAMR Order No. 20 art. 21(5) had ended without agreement, so it stands as the council's
    expert opinion, not as an agreement reached in mediation (docs/CASES.md says what still follows
    from it)."""

    source: Literal["decision"]
    outcome: str
    pay_fen: int
    refund_fen: int
    remedy: str
    rework_days: int
    decision_hash: str
    expert_opinion: bool = False


@dataclass
class DroppedOutcome:
    """A case that ended with nothing decided: moves no money, shaped like any outcome."""

    source: Literal["withdrawal", "cancellation"]
    outcome: Literal["withdrawn"]
    reason: str  # the claimant's words for a withdrawal; "" for a cancellation
    pay_fen: int
    refund_fen: int
    remedy: str
    rework_days: int


Outcome = Annotated[SettledOutcome | DecidedOutcome | DroppedOutcome, Field(discriminator="source")]


def confirmed_remedy(domain: str, outcome: "SettledOutcome | DecidedOutcome | DroppedOutcome") -> str:
    """What the business confirms it carried out, in a case no escrow enforces: a car's remedy, a
    renovation's outcome (refund, split, rework); `remedy.confirm` must say exactly this."""
    return outcome.remedy if domain == "car" else outcome.outcome


def dropped(source: Literal["withdrawal", "cancellation"], reason: str) -> DroppedOutcome:
    """The outcome of a case withdrawn, or whose escrow was cancelled: nothing moves."""
    return DroppedOutcome(source, "withdrawn", reason, 0, 0, "-", 0)


@dataclass
class Objection:
    party: str  # claimant | respondent
    reason: str


@dataclass
class EscrowDecision:
    """What the council's `dispute.decide` for the escrow must say: the concluded outcome in the
    escrow's terms (a split pays and refunds, a refund only refunds, a rework moves no money)."""

    dispute: int | None
    outcome: str
    pay_fen: int
    refund_fen: int
    rework_days: int
