"""Scorecards for contractors and inspectors, each figure with the cases behind it.

A rate over three stages is not a rate over three hundred: every figure carries its
`n`, and the pages print it beside the figure so a small sample looks small.

- first-pass rate: stages whose first inspection report passed ÷ stages inspected;
- rework share: stages that needed rework (a failed inspection, or rework ordered by a
  dispute decision) ÷ stages inspected;
- days from acceptance to release: the median, over stages the owner accepted by a
  signed step (or part-accepted), from that step's time to the first projection that
  saw the bank's release done, both on the escrow workflow's clock;
- disputes raised / lost: complaints consumers raised in the business's escrows and
  cases, and how many of those were decided for the consumer.
An inspector's card shows the same figures over the escrows it inspected.
"""

from dataclasses import dataclass
from statistics import median

from domain.roles import BUSINESS_ROLES
from public_record.complaints import Complaint
from public_record.facts import EscrowFacts, History


@dataclass(frozen=True)
class Figure:
    value: float | None  # None when there is nothing to count
    n: int  # how many cases the figure is computed over


@dataclass(frozen=True)
class Scorecard:
    party_id: str
    role: str
    name: str
    escrows: int
    first_pass_rate: Figure
    rework_share: Figure
    median_days_to_release: Figure
    disputes_raised: int
    disputes_lost: int
    credit_code: str | None = None  # the verified licence's code; None: printed by party id only


def _rate(hits: int, n: int) -> Figure:
    return Figure(hits / n if n else None, n)


def _reworked_by_decision(escrow: EscrowFacts) -> set[int]:
    return {
        stage
        for dispute in escrow.snapshot.disputes
        if dispute.status == "decided" and dispute.outcome == "rework"
        for stage in dispute.stages
    }


def raised_against(party_id: str, escrow_ids: set[str], complaints: list[Complaint]) -> list[Complaint]:
    """The complaints consumers raised in the business's cases and in the escrows of its card."""
    return [
        c for c in complaints if c.is_complaint and (c.business_id == party_id or c.escrow_id in escrow_ids)
    ]


def scorecard(
    history: History, party_id: str, escrows: list[EscrowFacts], complaints: list[Complaint]
) -> Scorecard:
    inspected = first_pass = reworked = 0
    days: list[float] = []
    for escrow in escrows:
        by_decision = _reworked_by_decision(escrow)
        for stage, results in escrow.reports.items():
            inspected += 1
            first_pass += results[0] == "pass"
            reworked += "fail" in results or stage in by_decision
        for stage, accepted in escrow.accepted_at.items():
            released = escrow.released_at.get(stage)
            if released is not None:
                days.append(max((released - accepted).total_seconds(), 0) / 86400)
    business = history.business(party_id)
    raised = raised_against(party_id, {e.escrow_id for e in escrows}, complaints)
    return Scorecard(
        party_id=party_id,
        role=business.role,
        name=business.name,
        escrows=len(escrows),
        first_pass_rate=_rate(first_pass, inspected),
        rework_share=_rate(reworked, inspected),
        median_days_to_release=Figure(median(days) if days else None, len(days)),
        disputes_raised=len(raised),
        disputes_lost=sum(c.outcome == "for_consumer" for c in raised),
        credit_code=business.credit_code,
    )


def scorecards(history: History, complaints: list[Complaint], role: str) -> list[Scorecard]:
    """One card per contractor (or per inspector, or per dealer), most escrows first."""
    field = {"contractor": "contractor_id", "inspector": "inspector_id"}.get(role)
    groups: dict[str, list[EscrowFacts]] = {}
    if field is not None:
        for escrow in history.escrows:
            if (party_id := getattr(escrow, field)) is not None:
                groups.setdefault(party_id, []).append(escrow)
    if role in BUSINESS_ROLES:
        for complaint in complaints:
            if history.business(complaint.business_id).role == role:
                groups.setdefault(complaint.business_id, [])
    cards = [scorecard(history, party_id, escrows, complaints) for party_id, escrows in groups.items()]
    return sorted(cards, key=lambda c: (-c.escrows, -c.disputes_raised, c.name, c.party_id))
