"""What an escrow page shows, computed from the workflow's snapshot and the bank's statement.

Pure functions, so the pages' wording rules (who a stage waits for, until when, why money
is held) are decided here once and tested without a browser.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.escrow.snapshot import EscrowSnapshot
from domain.escrow.state import Holdback, InspectionReport, Stage
from web.charts import Series

OWNER, CONTRACTOR, INSPECTOR, COUNCIL = "owner", "contractor", "inspector", "council"


@dataclass(frozen=True)
class Waiting:
    """The next move on a stage: whose it is, a message key saying what, and the deadline."""

    role: str | None
    what: str
    due: datetime | None = None


@dataclass
class StageView:
    number: int
    name: str
    amount_fen: int
    status: str
    paid_fen: int
    held_fen: int
    round: int
    waiting: Waiting
    holdbacks: list[Holdback] = field(default_factory=list)
    last_report: InspectionReport | None = None
    dispute: int | None = None

    @property
    def held_back_fen(self) -> int:
        return sum(h.amount_fen for h in self.holdbacks if h.status == "held")


def stage_waiting(stage: Stage, phase: str, current: int | None) -> Waiting:
    """Who must act on this stage next; stages after the current one wait for it."""
    status = stage.status
    if stage.dispute is not None:
        return Waiting(COUNCIL, "wait.dispute")
    if status == "accepted":
        if any(h.status == "held" for h in stage.holdbacks):
            return Waiting(OWNER, "wait.holdback")
        return Waiting(None, "wait.done")
    if status in ("settled", "cancelled"):
        return Waiting(None, "wait." + status)
    if phase != "active":
        return Waiting(None, "wait.phase_" + phase)
    if current is not None and stage.number > current:
        return Waiting(None, "wait.earlier_stage")
    if status == "awaiting_request":
        return Waiting(CONTRACTOR, "wait.request")
    if status == "inspection_requested":
        return Waiting(INSPECTOR, "wait.report", stage.report_due)
    if status == "rectifying":
        return Waiting(CONTRACTOR, "wait.rework", stage.rework_due)
    if status == "awaiting_acceptance":
        return Waiting(OWNER, "wait.acceptance", stage.acceptance_due)
    return Waiting(None, "wait.unknown")


def stage_views(snapshot: EscrowSnapshot) -> list[StageView]:
    phase, current = snapshot.phase, snapshot.current_stage
    return [
        StageView(
            number=stage.number,
            name=stage.name,
            amount_fen=stage.amount_fen,
            status=stage.status,
            paid_fen=stage.paid_fen,
            held_fen=stage.open_fen,
            round=stage.round,
            waiting=stage_waiting(stage, phase, current),
            holdbacks=stage.holdbacks,
            last_report=stage.last_report,
            dispute=stage.dispute,
        )
        for stage in snapshot.stages
    ]


def funds_over_time(statement: list[Any], now: datetime) -> list[tuple[str, list[tuple[datetime, int]]]]:
    """Cumulative deposited, released and refunded, and the balance held, after each bank entry.

    The bank's statement is the record of money that actually moved, with the moment it moved;
    the lines start at zero just before the first entry and run on to now.
    """
    if not statement:
        return []
    entries = sorted(statement, key=lambda entry: entry.created_at)
    totals = {"deposit": 0, "payout": 0, "refund": 0}
    start = entries[0].created_at
    lines: dict[str, list[tuple[datetime, int]]] = {
        key: [(start, 0)] for key in ("deposit", "payout", "refund", "held")
    }
    for entry in entries:
        totals[entry.kind] = totals.get(entry.kind, 0) + entry.amount_fen
        for kind in ("deposit", "payout", "refund"):
            lines[kind].append((entry.created_at, totals[kind]))
        lines["held"].append((entry.created_at, entry.balance_after_fen))
    end = max(now.astimezone(UTC), entries[-1].created_at)
    for points in lines.values():
        points.append((end, points[-1][1]))
    return list(lines.items())


def chart_series(lines: list[tuple[str, list[tuple[datetime, int]]]], names: dict[str, str]) -> list[Series]:
    return [Series(names[key], points) for key, points in lines]
