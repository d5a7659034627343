"""What the council's and the experts' pages read out of a case snapshot.

A snapshot is the case machine's `snapshot()` (from the workflow, or as the read model
keeps it in `summary_json`): plain JSON with ISO timestamps. These helpers only read it;
every rule about what may happen next stays in `domain/case/machine.py`.

Decision: the council's list shows, per case, the one deadline that ends the current phase
(what the council must chase), not every timer the workflow keeps. For the summary and
signing phases that is the panel's decision target (`decision_due`: panel formed + the case's
`decision_target_days`, moved on by clock pauses). Snapshots from before the machine kept
`decision_due` fall back to panel formed + the default target.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.case.snapshot import CaseSnapshot
from domain.case.state import CasePhase, PanelRound, Seat
from domain.case.terms import CAR, CaseWindows
from expert_panels.draw import draw_record_from_document

DECISION_TARGET = timedelta(days=CaseWindows().decision_target_days)


@dataclass(frozen=True)
class Deadline:
    what: str  # message key: what must happen by then
    due: datetime | None  # None: nothing is timed (e.g. waiting for the registry, or the clock is paused)


def inspection_awaits(case: CaseSnapshot, signer: str) -> bool:
    """Whether the joint site report waits for this signer (a side, or the chair's expert id)."""
    current = case.current_round
    return (
        case.phase == CasePhase.EVIDENCE
        and current is not None
        and signer not in (current.inspection.signed_by if current.inspection else [])
    )


def phase_deadline(case: CaseSnapshot) -> Deadline:
    """The deadline that closes the case's current phase, and what is due by it."""
    phase = case.phase
    current = case.current_round
    if phase == CasePhase.FILED:
        return Deadline("deadline.acceptance", case.acceptance_due)
    if phase == CasePhase.ANSWER:
        return Deadline("deadline.answer", case.answer_due)
    if phase == CasePhase.NEGOTIATION:
        return Deadline("deadline.negotiation", case.negotiation_due)
    if phase == CasePhase.PANEL and current:
        undeclared = [s.declaration_due for s in current.seats.values() if not s.declared]
        if undeclared:
            return Deadline("deadline.declarations", min(undeclared))
        return Deadline("deadline.strikes", current.strike_due)
    if phase == CasePhase.EVIDENCE and current:
        if current.paused_at:
            return Deadline("deadline.paused", None)
        return Deadline("deadline.evidence", current.reply_due)
    if phase == CasePhase.VOTING and current:
        return Deadline("deadline.votes", current.vote_due)
    if phase in (CasePhase.SUMMARY, CasePhase.SIGNING) and current and current.formed_at:
        return Deadline("deadline.decision_target", decision_due(current))
    if phase == CasePhase.OBJECTION:
        return Deadline("deadline.objection", case.objection_due)
    if case.outcome is not None and case.outcome.source == "withdrawal":  # nobody owes a step
        return Deadline("case.withdrawn", None)
    if phase == CasePhase.ENFORCEMENT and case.domain == CAR:
        return Deadline("deadline.enforcement", case.remedy_due)
    if phase == CasePhase.ENFORCEMENT:  # a renovation outcome waits for the council's step at the escrow
        return Deadline("deadline.escrow_enforcement", None)
    return Deadline(f"phase.{phase}", None)


def decision_due(current: PanelRound) -> datetime | None:
    """When the round's decision is due: as the machine keeps it, or as older snapshots imply it."""
    if current.decision_due:
        return current.decision_due
    return current.formed_at + DECISION_TARGET if current.formed_at else None


def seat_of(case: CaseSnapshot, party_id: str) -> tuple[str, Seat] | None:
    """The expert id and seat this party holds on the current panel, if any."""
    current = case.current_round
    for expert_id, seat in (current.seats if current else {}).items():
        if seat.party_id == party_id:
            return expert_id, seat
    return None


def expert_task(case: CaseSnapshot, expert_id: str) -> str:
    """Message key of what this panel member should do now (or why they wait)."""
    phase = case.phase
    current = case.current_round
    if current is None:
        return f"phase.{phase}"
    seat = current.seats[expert_id]
    if phase == CasePhase.PANEL:
        return "task.waiting_strikes" if seat.declared else "task.declare"
    if phase == CasePhase.EVIDENCE:
        return "task.read_evidence"
    if phase == CasePhase.VOTING:
        if expert_id not in current.commitments:
            return "task.commit"
        if set(current.commitments) != set(current.seats):
            return "task.waiting_commitments"
        return "task.waiting_reveals" if expert_id in current.reveals else "task.reveal"
    if phase == CasePhase.SUMMARY:
        chair = draw_record_from_document(current.draw).chair if current.draw else None
        return "task.summary_chair" if chair == expert_id else "task.waiting_summary"
    if phase == CasePhase.SIGNING:
        return "task.waiting_countersign" if expert_id in current.signatures else "task.sign_decision"
    return f"phase.{phase}"
