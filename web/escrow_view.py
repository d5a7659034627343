"""What an escrow page shows, computed from the workflow's snapshot and the bank's statement.

Pure functions, tested without a browser. Who must act and until when is never decided here:
the machine declares it (`EscrowSnapshot.open_actions`) and these functions only word it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.escrow.snapshot import EscrowSnapshot
from domain.escrow.state import Holdback, InspectionReport, InspectionRequest, Phase, Stage, StageStatus
from domain.open_actions import OpenAction
from domain.roles import Role
from web.charts import Series


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
    held_fen: int  # of what the stage still owes, what the bank actually holds for it
    to_deposit_fen: int  # what the stage still owes that nobody has deposited yet
    round: int
    waiting: Waiting
    holdbacks: list[Holdback] = field(default_factory=list)
    last_request: InspectionRequest | None = None
    last_report: InspectionReport | None = None
    dispute: int | None = None

    @property
    def held_back_fen(self) -> int:
        return sum(h.amount_fen for h in self.holdbacks if h.status == "held")


# The words for a stage's open action (domain/escrow/machine.py `_stage_actions`).
STAGE_WORDS = {
    "inspection.request": "wait.request",
    "inspection.report": "wait.report",
    "stage.accept": "wait.acceptance",
    "holdback.release": "wait.holdback",
}


def stage_waiting(stage: Stage, snapshot: EscrowSnapshot) -> Waiting:
    """Who this stage waits for and until when, as the machine declares it in its open actions;
    a stage nobody has to act on says where it stands."""
    if stage.dispute is not None:  # frozen: the council's decision (its open action) comes first
        return Waiting(Role.COUNCIL, "wait.dispute")
    action = next((a for a in snapshot.open_actions if a.ref == f"stage-{stage.number}"), None)
    if action is not None:
        rework = action.action == "inspection.request" and stage.status is StageStatus.RECTIFYING
        return Waiting(action.role, "wait.rework" if rework else STAGE_WORDS[action.action], action.due)
    if stage.status in (StageStatus.ACCEPTED, StageStatus.SETTLED, StageStatus.CANCELLED):
        return Waiting(None, "wait.done" if stage.status is StageStatus.ACCEPTED else f"wait.{stage.status}")
    if snapshot.phase is not Phase.ACTIVE:
        return Waiting(None, f"wait.phase_{snapshot.phase}")
    if snapshot.current_stage is not None and stage.number > snapshot.current_stage:
        return Waiting(None, "wait.earlier_stage")
    topup = next((a for a in snapshot.open_actions if a.action == "deposit"), None)
    if topup is not None:  # the current stage's release waits for the owner's top-up
        return Waiting(topup.role, "wait.topup")
    return Waiting(None, "wait.unknown")


def stage_views(snapshot: EscrowSnapshot) -> list[StageView]:
    held, _ = snapshot.held_parts()
    return [
        StageView(
            number=stage.number,
            name=stage.name,
            amount_fen=stage.amount_fen,
            status=stage.status,
            paid_fen=stage.paid_fen,
            held_fen=held[index],
            to_deposit_fen=stage.open_fen - held[index],
            round=stage.round,
            waiting=stage_waiting(stage, snapshot),
            holdbacks=stage.holdbacks,
            last_request=stage.last_request,
            last_report=stage.last_report,
            dispute=stage.dispute,
        )
        for index, stage in enumerate(snapshot.stages)
    ]


@dataclass(frozen=True)
class RetentionView:
    """The retention as the timeline shows it: held only what the bank holds, the rest to deposit."""

    amount_fen: int
    held_fen: int
    to_deposit_fen: int


def retention_view(snapshot: EscrowSnapshot) -> RetentionView:
    _, held = snapshot.held_parts()
    retention = snapshot.retention
    return RetentionView(retention.amount_fen, held, retention.open_fen - held)


def actions_of(snapshot: EscrowSnapshot, role: str | None) -> dict[str, list[OpenAction]]:
    """The open actions the reader's role must (or may) take, by action: what the page offers."""
    found: dict[str, list[OpenAction]] = {}
    for action in snapshot.open_actions:
        if action.role == role:
            found.setdefault(action.action, []).append(action)
    return found


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
