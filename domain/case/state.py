"""The state of one dispute case: plain data the machine mutates and the workflow queries.

Timestamps are `Stamp`s, so the snapshot's JSON keeps Python's isoformat. Everything here is
typed: a round's draw is the `DrawRecord` (with the seat changes made since), its candidates the
`Expert`s it was drawn from, a failed attempt the `FailedDraw`, so the machine reads attributes
and never parses its own state. The documents `escrow verify-draw` re-runs (`draw_record_document`,
`expert_document`, `failed_draw_document`) are written only where the case shows itself: the
snapshot's own round and attempt types (domain/case/snapshot.py) and the draw entries
(domain/case/draws.py), since Temporal's default converter cannot carry the records' dates.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from domain.case.outcomes import Decision
from domain.open_actions import Stamp
from expert_panels.draw import DrawRecord, FailedDraw
from expert_panels.registry import Expert
from expert_panels.votes import Opinion


class CasePhase(StrEnum):
    FILED = "filed"  # waiting for the council to accept or reject
    ANSWER = "answer"  # respondent's answer window
    NEGOTIATION = "negotiation"  # both may still settle
    DRAW = "draw"  # waiting for the registry to draw a panel from
    PANEL = "panel"  # strikes and independence declarations
    EVIDENCE = "evidence"  # evidence, replies, site inspection, clock pauses
    VOTING = "voting"  # commit, then reveal
    SUMMARY = "summary"  # the chair writes the plain-language summary
    SIGNING = "signing"  # panel members sign, then the council countersigns
    OBJECTION = "objection"  # one appeal to a larger panel may be lodged
    ENFORCEMENT = "enforcement"  # the escrow applies it, or the dealer confirms the remedy
    CLOSED = "closed"
    REJECTED = "rejected"


@dataclass
class Seat:
    expert_id: str
    party_id: str
    public_key: str
    seated_at: Stamp
    declaration_due: Stamp
    declared: bool = False
    declared_at: Stamp | None = None


@dataclass
class Settlement:
    settlement_hash: str
    pay_fen: int
    refund_fen: int
    remedy: str
    signed_by: list[str]


@dataclass
class Evidence:
    """Files a party put before the panel: who (claimant or respondent), when, by which step (the
    claim, the answer, or an evidence submission), and what they said of them."""

    party: str
    hashes: list[str]  # file hashes, as signed (domain/steps/files.py)
    reply: bool
    at: Stamp
    note: str = ""
    action: str = "evidence.submit"  # claim.file | answer.submit | evidence.submit


@dataclass
class Answer:
    """The respondent's answer to the claim, as signed (its files are an `Evidence` entry), with
    the defences a car dealer raised in it."""

    text: str
    at: Stamp
    defences: list[str] = field(default_factory=list)  # a car dealer's, raised not proved (Order No. 43)


@dataclass
class JointInspection:
    report_hash: str
    signed_by: list[str]


@dataclass
class PanelRound:
    """One panel's work: the first instance, or the appeal."""

    number: int
    draw: DrawRecord | None = None  # the current seats' draw, with the seat changes made since
    candidates: list[Expert] = field(default_factory=list)  # the experts it was drawn from
    seats: dict[str, Seat] = field(default_factory=dict)
    strikes: dict[str, str] = field(default_factory=dict)  # party -> expert_id
    strike_due: Stamp | None = None
    formed_at: Stamp | None = None
    decision_due: Stamp | None = None  # the decision target, moved on by clock pauses
    evidence_due: Stamp | None = None
    reply_due: Stamp | None = None
    paused_at: Stamp | None = None
    inspection: JointInspection | None = None
    commitments: dict[str, str] = field(default_factory=dict)
    reveals: dict[str, Opinion] = field(default_factory=dict)
    vote_due: Stamp | None = None
    vote_overdue_alerted: bool = False
    decision: Decision | None = None  # the document every member signs
    decision_hash: str | None = None
    signatures: list[str] = field(default_factory=list)
    dissent_notes: dict[str, str] = field(default_factory=dict)
    countersigned: bool = False
    target_alerted: bool = False
    failed_draw: "FailedAttempt | None" = None  # the latest attempt that could seat nobody


@dataclass
class FailedAttempt:
    """The round's latest draw attempt that could seat nobody: why, and how often it was tried.

    Only the latest is kept: an attempt is retried daily while the registry stays short.
    """

    draw: FailedDraw  # request, seed, candidates, exclusions, problem
    candidates: list[Expert]
    attempts: int
    attempted_at: Stamp


@dataclass
class AbandonedDraw:
    """A round's draw given up because a seat could not be refilled; kept so it can be re-run."""

    round: int
    draw: DrawRecord  # as it stood, earlier seat changes included
    candidates: list[Expert]
    vacated: str  # the expert whose seat no alternate could take
    reason: str  # why they left
    problem: str  # why no alternate could take the seat
    abandoned_at: Stamp


@dataclass
class MediationExtension:
    """An extension of the mediation period signed by one party, awaiting the other's signature."""

    working_days: int
    signed_by: list[str]


@dataclass
class Mediation:
    """SAMR Order No. 20 art. 21(5): mediation that reaches no agreement within 45 working days of
    the acceptance ends. Testing and appraisal time does not count (art. 20: the working days the
    clock stood paused move the end on), and an extension both parties signed moves it on too.

    When the period ends the case records it (`ended_at`) and goes on: a panel decision under way
    continues as the council's expert opinion, and a settlement both sign is still taken.
    """

    accepted_at: Stamp
    due: Stamp  # the end of the period's last working day, on the case's calendar
    paused_working_days: int = 0  # working days the clock stood paused (art. 20)
    extensions: list[int] = field(default_factory=list)  # working days of each extension both signed
    proposed: MediationExtension | None = None  # an extension one party signed
    alerted: bool = False  # the council was told at 35 working days
    ended_at: Stamp | None = None  # the period ended without agreement (art. 21(5))


@dataclass
class Recount:
    """A working-day deadline counted again on a newer calendar (the `update_calendar` signal): which
    one (its snapshot field), the day it fell on and the day it falls on now (YYYY-MM-DD in Shanghai),
    and when. The case pages list them for every reader; the notifier tells the parties it concerns."""

    deadline: str  # acceptance_due | mediation_due
    was: str
    due: str
    at: Stamp


@dataclass
class TimeBar:
    """A claim filed more than three years after the claimant knew or should have known of the
    harm (SAMR Order No. 20 art. 15(4)): flagged for the council, which decides; nothing is refused."""

    known_since: str  # the stated date of knowledge, YYYY-MM-DD
    last_day: str  # three years on: the last day a claim is within time, YYYY-MM-DD
    filed_on: str  # the filing day in Shanghai, YYYY-MM-DD
