"""The state of one dispute case: plain data the machine mutates and the workflow queries.

Timestamps are `Stamp`s, so the snapshot's JSON keeps Python's isoformat. A round's draw, its
candidates and a failed or abandoned attempt stay the documents `escrow verify-draw` re-runs
(`draw_record_document`, `expert_document`): they are the public, verifiable record, read as a
`DrawRecord` with `draw_record_from_document` where the machine or a page needs its parts.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.case.outcomes import Decision
from domain.open_actions import Stamp
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
    party: str
    hashes: list[str]
    reply: bool
    at: Stamp


@dataclass
class JointInspection:
    report_hash: str
    signed_by: list[str]


@dataclass
class PanelRound:
    """One panel's work: the first instance, or the appeal."""

    number: int
    draw: dict[str, Any] | None = None  # draw_record_document of the current seats
    candidates: list[dict[str, Any]] = field(default_factory=list)  # expert documents drawn from
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

    draw: dict[str, Any]  # failed_draw_document: request, seed, candidates, exclusions, problem
    candidates: list[dict[str, Any]]
    attempts: int
    attempted_at: Stamp


@dataclass
class AbandonedDraw:
    """A round's draw given up because a seat could not be refilled; kept so it can be re-run."""

    round: int
    draw: dict[str, Any]  # draw_record_document as it stood, earlier seat changes included
    candidates: list[dict[str, Any]]
    vacated: str  # the expert whose seat no alternate could take
    reason: str  # why they left
    problem: str  # why no alternate could take the seat
    abandoned_at: Stamp
