"""Every complaint and dispute, counted: by business, by category, by outcome.

Decisions (docs/PUBLIC_RECORD.md):
- A dispute is any escrow dispute or dispute case involving a business (a contractor
  or a car dealer). It is a *complaint* when the consumer raised it (the owner or the
  car buyer); disputes a business raises, or the system opens on an owner's silence,
  are counted as disputes but never against the business in the quarterly list.
- An escrow dispute decided through an expert-panel case is counted once, as the case.
- Outcomes: `settled` (both parties signed a settlement), `for_consumer` (full refund,
  rework ordered, or a car remedy), `for_business` (everything paid to the business, or
  car remedy `none`), `split` (money to both), `withdrawn` (the dispute was dropped: the
  claimant withdrew the case, or the contract was cancelled by both sides while it was
  open), `rejected` (the council did not accept the case), `open`.
- Category: the domain (renovation or car) and the claim's main specialty; an escrow
  dispute the council decided without a case has no specialty (`unclassified`).
- A complaint belongs to the quarter it was filed in (Asia/Shanghai calendar).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.case.snapshot import CaseSnapshot
from domain.case.state import CasePhase
from domain.roles import CONSUMER_ROLES
from public_record.facts import CaseFacts, EscrowFacts, History

OUTCOMES = ("settled", "for_consumer", "for_business", "split", "withdrawn", "rejected", "open")
CLOSED = set(OUTCOMES) - {"open"}
MEDIATED = CLOSED - {"rejected"}  # what the mediation success rate divides by
MEDIATION_SUCCESS = {"settled", "withdrawn"}
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Complaint:
    key: str  # CASE-2026-00007, or ESC-2026-00042:dispute-1
    business_id: str
    consumer_id: str
    raised_by: str  # consumer | business | system
    domain: str  # renovation | car
    specialty: str
    filed_at: datetime
    closed_at: datetime | None
    outcome: str
    escrow_id: str | None

    @property
    def is_complaint(self) -> bool:
        return self.raised_by == "consumer"

    @property
    def category(self) -> str:
        return f"{self.domain}/{self.specialty}"


def money_outcome(kind: str, pay_fen: int, refund_fen: int) -> str:
    """A decided renovation outcome from the consumer's side."""
    if kind in ("refund", "rework"):
        return "for_consumer"
    if refund_fen == 0:
        return "for_business"
    if pay_fen == 0:
        return "for_consumer"
    return "split"


def case_outcome(snapshot: CaseSnapshot) -> str:
    if snapshot.phase == CasePhase.REJECTED:
        return "rejected"
    outcome = snapshot.outcome
    if outcome is None:
        return "open"
    if outcome.source == "settlement":
        return "settled"
    if outcome.source in ("withdrawal", "cancellation"):
        return "withdrawn"
    if outcome.outcome == "remedy":
        return "for_business" if outcome.remedy == "none" else "for_consumer"
    return money_outcome(outcome.outcome, outcome.pay_fen, outcome.refund_fen)


def from_case(case: CaseFacts, roles: Callable[[str], str]) -> Complaint:
    claimant_role = roles(case.claimant_id)
    consumer_claims = claimant_role in CONSUMER_ROLES
    business, consumer = (
        (case.respondent_id, case.claimant_id) if consumer_claims else (case.claimant_id, case.respondent_id)
    )
    return Complaint(
        key=case.case_id,
        business_id=business,
        consumer_id=consumer,
        raised_by="consumer" if consumer_claims else "business",
        domain=case.domain,
        specialty=case.main_specialty or UNCLASSIFIED,
        filed_at=case.filed_at,
        closed_at=case.concluded_at,
        outcome=case_outcome(case.snapshot),
        escrow_id=case.escrow_id,
    )


def from_escrow(escrow: EscrowFacts) -> list[Complaint]:
    """The escrow's disputes that no case decides (a case is counted as itself)."""
    complaints = []
    for dispute in escrow.snapshot.disputes:
        if dispute.case_id is not None:
            continue
        if dispute.status == "open":
            outcome = "open"
        elif dispute.outcome is None:  # ended without a decision: cancelled with the escrow
            outcome = "withdrawn"
        else:
            outcome = money_outcome(dispute.outcome, dispute.pay_fen, dispute.refund_fen)
        raised_by = {"owner": "consumer", "contractor": "business"}.get(dispute.raised_by, "system")
        complaints.append(
            Complaint(
                key=f"{escrow.escrow_id}:dispute-{dispute.number}",
                business_id=escrow.contractor_id,
                consumer_id=escrow.owner_id,
                raised_by=raised_by,
                domain="renovation",
                specialty=UNCLASSIFIED,
                filed_at=dispute.raised_at,
                closed_at=escrow.dispute_closed_at.get(dispute.number),
                outcome=outcome,
                escrow_id=escrow.escrow_id,
            )
        )
    return complaints


def all_disputes(history: History) -> list[Complaint]:
    """Every dispute in the history, complaints and the rest, oldest first."""

    def role(party_id: str) -> str:
        return history.business(party_id).role

    found = [from_case(case, role) for case in history.cases]
    for escrow in history.escrows:
        found.extend(from_escrow(escrow))
    return sorted(found, key=lambda c: (c.filed_at, c.key))


def count_by(complaints: Iterable[Complaint], key: Callable[[Complaint], str]) -> dict[str, int]:
    return dict(Counter(key(c) for c in complaints))


@dataclass(frozen=True)
class Tally:
    """One group's counts: how many, how they ended, and the mediation success rate."""

    count: int
    outcomes: dict[str, int]

    @property
    def mediated(self) -> int:
        return sum(self.outcomes.get(o, 0) for o in MEDIATED)

    @property
    def mediation_successes(self) -> int:
        return sum(self.outcomes.get(o, 0) for o in MEDIATION_SUCCESS)

    @property
    def mediation_rate(self) -> float | None:
        """Settled or withdrawn ÷ mediated-and-closed; None when nothing has closed yet."""
        return self.mediation_successes / self.mediated if self.mediated else None


def tally(complaints: Iterable[Complaint]) -> Tally:
    items = list(complaints)
    return Tally(len(items), count_by(items, lambda c: c.outcome))


def tally_by(complaints: Iterable[Complaint], key: Callable[[Complaint], str]) -> dict[str, Tally]:
    groups: dict[str, list[Complaint]] = {}
    for complaint in complaints:
        groups.setdefault(key(complaint), []).append(complaint)
    return {name: tally(items) for name, items in groups.items()}
