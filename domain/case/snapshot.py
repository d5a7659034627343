"""What a case shows of itself: `CaseMachine.snapshot()`, the workflow's `snapshot` query, the
body of `GET /cases/{id}` and the read model's `summary_json`.

Field order is the JSON's key order, as it was when the snapshot was a dictionary; the golden
test (tests/test_read_model_golden.py) pins those bytes. Temporal's default converter carries it
between workflow, activity and API; FastAPI and the read model write it through pydantic (where
`Stamp` keeps Python's isoformat), and `read_case_snapshot` reads a stored one back.
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from domain.case.outcomes import EscrowDecision, Objection, Outcome
from domain.case.state import AbandonedDraw, CasePhase, Evidence, PanelRound, Settlement
from domain.case.terms import ClaimItem
from domain.open_actions import AtDeadline, OpenAction, Stamp
from domain.steps.machine import Alert
from domain.steps.signing import SignedStep


@dataclass
class CaseSnapshot:
    case_id: str
    domain: str  # renovation | car
    version: int
    phase: CasePhase
    claimant_id: str
    respondent_id: str
    escrow_id: str | None
    escrow_dispute: int | None
    disputed_fen: int
    items: list[ClaimItem]
    car_facts: dict[str, Any] | None  # a car claim's stated facts, as filed
    statutory_remedy: dict[str, Any] | None  # what the regulation gives on them (claimed_remedy)
    filed_at: Stamp
    acceptance_due: Stamp
    answer_due: Stamp | None
    negotiation_due: Stamp | None
    settlement: Settlement | None
    rounds: list[PanelRound]
    abandoned_draws: list[AbandonedDraw]
    evidence: list[Evidence]
    outcome: Outcome | None
    objection: Objection | None
    objection_due: Stamp | None
    escrow_step: SignedStep | None  # the council's `dispute.decide`, or the claimant's `dispute.withdraw`
    escrow_decision: EscrowDecision | None  # what the council's step must say, while it is awaited
    remedy_due: Stamp | None
    remedy_confirmed: str | None
    noncompliant: bool
    rejection: str | None
    alerts: list[Alert]
    trail_head: str
    trail_length: int
    # what the case waits for now (CaseMachine.open_actions); none in summaries stored before it was
    open_actions: list[OpenAction] = field(default_factory=list)

    @property
    def current_round(self) -> PanelRound | None:
        return self.rounds[-1] if self.rounds else None

    def awaited(self) -> list[OpenAction]:
        """The open actions something waits for (not the steps one may take at will)."""
        return [a for a in self.open_actions if a.at_deadline is not AtDeadline.NOT_AWAITED]

    def open_to(self, party_id: str, role: str) -> list[OpenAction]:
        """The open actions addressed to this reader: meant for their party, or for anyone of their
        role when no party is named (the council)."""
        return [
            a for a in self.open_actions if a.party_id == party_id or (a.party_id is None and a.role == role)
        ]

    def waiting_for(self, party_id: str, role: str) -> list[OpenAction]:
        """What the case waits for from this reader: the "waiting for you" marker of every list."""
        return [a for a in self.open_to(party_id, role) if a.at_deadline is not AtDeadline.NOT_AWAITED]


CASE_SNAPSHOT = TypeAdapter(CaseSnapshot)


def case_snapshot_json(snapshot: CaseSnapshot) -> Any:
    """The snapshot as the JSON value the API answers with and the read model stores."""
    return CASE_SNAPSHOT.dump_python(snapshot, mode="json")


def read_case_snapshot(text: str | bytes) -> CaseSnapshot:
    """A snapshot stored as JSON (`summary_json`), typed again."""
    return CASE_SNAPSHOT.validate_json(text)
