"""What the case pages read out of a snapshot's open actions.

The case machine declares, for its current state, who it waits for, which step, by when and what
happens then (`CaseSnapshot.open_actions`, see docs/CASES.md). These helpers only pick from that
list for one reader and name it in the pages' words: no rule about what may happen next lives here.

Decision: a list shows, per case, the awaited action due first (what the council must chase, or
the reader must do); its words are the step's (`action.<step>`), and a case waiting for the reader
is marked.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.calendar import WorkCalendar
from domain.case.snapshot import CaseSnapshot
from domain.case.state import MediationExtension, Seat
from domain.open_actions import OpenAction

NEVER = datetime.max.replace(tzinfo=UTC)

# A panel member's own step, as the expert's pages name it.
OWN_TASKS = {
    "declaration.sign": "task.declare",
    "vote.commit": "task.commit",
    "vote.reveal": "task.reveal",
    "decision.summarise": "task.summary_chair",
    "decision.sign": "task.sign_decision",
}
# What a panel member waits for when no step of theirs is awaited.
OTHERS_TASKS = {
    "strike.submit": "task.waiting_strikes",
    "declaration.sign": "task.waiting_strikes",
    "evidence.submit": "task.read_evidence",
    "vote.commit": "task.waiting_commitments",
    "vote.reveal": "task.waiting_reveals",
    "decision.summarise": "task.waiting_summary",
    "decision.sign": "task.waiting_countersign",
    "decision.countersign": "task.waiting_countersign",
}


@dataclass(frozen=True)
class CaseRow:
    """One case in a list: what it waits for first, and whether it waits for the reader."""

    case: CaseSnapshot
    next: OpenAction | None
    yours: bool

    def due_first(self) -> tuple[bool, datetime]:
        """Sort key: the most pressing first, cases with nothing timed last."""
        due = self.next.due if self.next else None
        return due is None, due or NEVER


def case_row(case: CaseSnapshot, party_id: str, role: str) -> CaseRow:
    return CaseRow(case, first_due(case.awaited()), bool(case.waiting_for(party_id, role)))


def first_due(actions: list[OpenAction]) -> OpenAction | None:
    """The action due first; one with no due time only when none has one."""
    timed = [a for a in actions if a.due is not None]
    return min(timed, key=lambda a: a.due or NEVER) if timed else next(iter(actions), None)


def steps_open_to(case: CaseSnapshot, party_id: str, role: str) -> set[str]:
    """The steps the case declares open to this reader now, awaited or not: the forms they see."""
    return {a.action for a in case.open_to(party_id, role)}


def seat_of(case: CaseSnapshot, party_id: str) -> tuple[str, Seat] | None:
    """The expert id and seat this party holds on the current panel, if any."""
    current = case.current_round
    for expert_id, seat in (current.seats if current else {}).items():
        if seat.party_id == party_id:
            return expert_id, seat
    return None


def member_task(case: CaseSnapshot, party_id: str) -> str:
    """Message key of this panel member's step the case awaits, or of what it awaits from others."""
    awaited = case.awaited()
    for action in awaited:
        if action.party_id == party_id and action.action in OWN_TASKS:
            return OWN_TASKS[action.action]
    for action in awaited:
        if action.party_id != party_id and action.action in OTHERS_TASKS:
            return OTHERS_TASKS[action.action]
    return f"phase.{case.phase}"


@dataclass(frozen=True)
class MediationView:
    """The mediation period (SAMR Order No. 20 art. 21(5)) as a case page shows it: when it ends, as
    the case's open actions declare it, and how many working days are left; or that it ended."""

    due: datetime | None  # None while the clock is paused for testing or appraisal, or once it ended
    working_days_left: int | None  # after today, up to the end
    paused: bool
    ended_at: datetime | None  # the period ended without agreement
    extensions: list[int]  # working days of each extension both parties signed
    proposed: MediationExtension | None  # an extension one party signed


def mediation_view(case: CaseSnapshot, now: datetime, calendar: WorkCalendar) -> MediationView | None:
    """What the page says of the mediation period; None when there is none to speak of (not accepted
    yet, rejected, or ended by an agreement or the case's end before it ran out)."""
    mediation = case.mediation
    period = next((a for a in case.open_actions if a.action == "mediation.extend"), None)
    if mediation is None or (period is None and mediation.ended_at is None):
        return None
    due = period.due if period else None
    left = calendar.working_days_between(now, due) if due else None
    paused = period is not None and due is None
    return MediationView(due, left, paused, mediation.ended_at, mediation.extensions, mediation.proposed)
