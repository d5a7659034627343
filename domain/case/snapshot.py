"""What a case shows of itself: `CaseMachine.snapshot()`, the workflow's `snapshot` query, the
body of `GET /cases/{id}` and the read model's `summary_json`.

Field order is the JSON's key order, as it was when the snapshot was a dictionary; the golden
test (tests/test_read_model_golden.py) pins those bytes. Temporal's default converter carries it
between workflow, activity and API; FastAPI and the read model write it through pydantic (where
`Stamp` keeps Python's isoformat), and `read_case_snapshot` reads a stored one back.

The machine keeps a round's draw, its candidates and failed or abandoned attempts typed
(domain/case/state.py), but a `DrawRecord` holds a `date` Temporal's default converter cannot
carry, and the read model shows the documents `escrow verify-draw` re-runs. So the snapshot has
its own round and attempt types, the state's with those parts as documents (`draw_record_document`,
`expert_document`, `failed_draw_document`); `round_snapshot` and its siblings are the one place
they are written.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from domain.case.outcomes import Decision, EscrowDecision, Objection, Outcome
from domain.case.state import (
    AbandonedDraw,
    Answer,
    CasePhase,
    Evidence,
    FailedAttempt,
    JointInspection,
    Mediation,
    PanelRound,
    Recount,
    Seat,
    Settlement,
    TimeBar,
)
from domain.case.terms import ClaimItem
from domain.fund.terms import AdvanceClaim
from domain.open_actions import UNAWAITED, OpenAction, Stamp
from domain.steps.machine import Alert
from domain.steps.signing import SignedStep
from expert_panels.draw import draw_record_document, draw_record_from_document, failed_draw_document
from expert_panels.registry import Expert, expert_document
from expert_panels.votes import Opinion


@dataclass
class FailedAttemptSnapshot:
    """`FailedAttempt` as shown."""

    draw: dict[str, Any]  # failed_draw_document: request, seed, candidates, exclusions, problem
    candidates: list[dict[str, Any]]  # expert_document of each candidate
    attempts: int
    attempted_at: Stamp


@dataclass
class RoundSnapshot:
    """`PanelRound` as shown: the same fields in the same order, its draw parts as documents."""

    number: int
    draw: dict[str, Any] | None = None  # draw_record_document of the current seats
    candidates: list[dict[str, Any]] = field(default_factory=list)  # expert documents drawn from
    seats: dict[str, Seat] = field(default_factory=dict)
    strikes: dict[str, str] = field(default_factory=dict)  # party -> expert_id
    strike_due: Stamp | None = None
    formed_at: Stamp | None = None
    decision_due: Stamp | None = None
    evidence_due: Stamp | None = None
    reply_due: Stamp | None = None
    paused_at: Stamp | None = None
    inspection: JointInspection | None = None
    commitments: dict[str, str] = field(default_factory=dict)
    reveals: dict[str, Opinion] = field(default_factory=dict)
    vote_due: Stamp | None = None
    vote_overdue_alerted: bool = False
    decision: Decision | None = None
    decision_hash: str | None = None
    signatures: list[str] = field(default_factory=list)
    dissent_notes: dict[str, str] = field(default_factory=dict)
    countersigned: bool = False
    target_alerted: bool = False
    failed_draw: FailedAttemptSnapshot | None = None

    @property
    def chair(self) -> str | None:
        """The chair of the current seats, once drawn: what pages ask of the draw's document."""
        return None if self.draw is None else draw_record_from_document(self.draw).chair


@dataclass
class AbandonedDrawSnapshot:
    """`AbandonedDraw` as shown."""

    round: int
    draw: dict[str, Any]  # draw_record_document as it stood, earlier seat changes included
    candidates: list[dict[str, Any]]
    vacated: str
    reason: str
    problem: str
    abandoned_at: Stamp


def candidate_documents(candidates: list[Expert]) -> list[dict[str, Any]]:
    return [expert_document(c) for c in candidates]


def failed_attempt_snapshot(attempt: FailedAttempt) -> FailedAttemptSnapshot:
    return FailedAttemptSnapshot(
        failed_draw_document(attempt.draw),
        candidate_documents(attempt.candidates),
        attempt.attempts,
        attempt.attempted_at,
    )


def round_snapshot(panel: PanelRound) -> RoundSnapshot:
    shown = {f.name: getattr(panel, f.name) for f in fields(panel)}
    return RoundSnapshot(
        **{
            **shown,
            "draw": None if panel.draw is None else draw_record_document(panel.draw),
            "candidates": candidate_documents(panel.candidates),
            "failed_draw": None if panel.failed_draw is None else failed_attempt_snapshot(panel.failed_draw),
        }
    )


def abandoned_draw_snapshot(gone: AbandonedDraw) -> AbandonedDrawSnapshot:
    return AbandonedDrawSnapshot(
        gone.round,
        draw_record_document(gone.draw),
        candidate_documents(gone.candidates),
        gone.vacated,
        gone.reason,
        gone.problem,
        gone.abandoned_at,
    )


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
    # the claim's category and what the claimant asks for; summaries stored before they were
    # carried read as empty
    main_specialty: str = field(default="", kw_only=True)
    remedy_sought: str = field(default="", kw_only=True)
    car_facts: dict[str, Any] | None  # a car claim's stated facts, as filed
    statutory_remedy: dict[str, Any] | None  # what the regulation gives on them (claimed_remedy)
    filed_at: Stamp
    acceptance_due: Stamp
    answer_due: Stamp | None
    answer: Answer | None = field(default=None, kw_only=True)  # the respondent's, once given
    negotiation_due: Stamp | None
    settlement: Settlement | None
    rounds: list[RoundSnapshot]
    abandoned_draws: list[AbandonedDrawSnapshot]
    evidence: list[Evidence]  # every file before the panel: the claim's, the answer's, then submissions
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
    # the fields above holding a working-day deadline counted through a year with no known holiday
    # notice (CaseMachine.provisional_deadlines): shown as provisional, they may move
    provisional_deadlines: list[str] = field(default_factory=list)
    rejection_grounds: list[str] = field(default_factory=list)  # the council's art. 15 grounds (codes)
    mediation: Mediation | None = None  # the 45-working-day mediation period, from the acceptance
    time_barred: TimeBar | None = None  # filed more than three years after the stated date of knowledge
    # why the escrow refused the council's last step for it (an error code), while a new one is awaited
    escrow_refusal: str | None = None
    # working-day deadlines a newer calendar moved (CaseMachine.update_calendar), oldest first
    recounts: list[Recount] = field(default_factory=list)
    # what the business's compensation fund may pay the consumer first (CaseMachine.advance_claim)
    advance_claim: AdvanceClaim | None = None

    @property
    def mediation_due(self) -> datetime | None:
        """When the mediation period ends, as the case counts it (a provisional deadline may be it)."""
        return None if self.mediation is None else self.mediation.due

    @property
    def current_round(self) -> RoundSnapshot | None:
        return self.rounds[-1] if self.rounds else None

    def is_provisional(self, due: datetime | None) -> bool:
        """Whether a deadline shown (an open action's due time) is one of the provisional ones."""
        return due is not None and any(getattr(self, name) == due for name in self.provisional_deadlines)

    def awaited(self) -> list[OpenAction]:
        """The open actions something waits for (not the steps one may take at will, nor the end of
        the mediation period, which the pages show on its own)."""
        return [a for a in self.open_actions if a.at_deadline not in UNAWAITED]

    def open_to(self, party_id: str, role: str) -> list[OpenAction]:
        """The open actions addressed to this reader: meant for their party, or for anyone of their
        role when no party is named (the council)."""
        return [
            a for a in self.open_actions if a.party_id == party_id or (a.party_id is None and a.role == role)
        ]

    def waiting_for(self, party_id: str, role: str) -> list[OpenAction]:
        """What the case waits for from this reader: the "waiting for you" marker of every list."""
        return [a for a in self.open_to(party_id, role) if a.at_deadline not in UNAWAITED]


CASE_SNAPSHOT = TypeAdapter(CaseSnapshot)


def case_snapshot_json(snapshot: CaseSnapshot) -> Any:
    """The snapshot as the JSON value the API answers with and the read model stores."""
    return CASE_SNAPSHOT.dump_python(snapshot, mode="json")


def read_case_snapshot(text: str | bytes) -> CaseSnapshot:
    """A snapshot stored as JSON (`summary_json`), typed again."""
    return CASE_SNAPSHOT.validate_json(text)
