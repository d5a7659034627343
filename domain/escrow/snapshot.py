"""What an escrow answers when asked where it stands: `EscrowMachine.snapshot()`.

One typed value serves every reader: the workflow's `snapshot` query, the projection that
stores it as the read model's `summary_json`, `GET /escrows/{id}` (its response model, so the
OpenAPI document shows the shape) and the pages. Field order is the JSON's key order, which the
read model has always had (tests/test_read_model_golden.py pins it); timestamps are `Stamp`s, so
the JSON keeps Python's isoformat. The state dataclasses are reused where their fields already
are that JSON; a stored summary is read back with `read_summary`.

The few fields added after escrows were already running have defaults, so that a projection
scheduled by an older worker, and a summary stored by one, still read (tests/test_escrow_snapshot.py
reads every recorded projection).
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from domain.escrow.state import (
    CancellationRequest,
    ChangeProposal,
    Dispute,
    Movement,
    Phase,
    Retention,
    Stage,
    WarrantyClaim,
)
from domain.escrow.terms import SilencePolicy
from domain.open_actions import AtDeadline, OpenAction, Stamp
from domain.steps.machine import Alert


@dataclass
class LedgerSnapshot:
    """The ledger's own figures with what they imply: held, on its way, still owed."""

    deposited_fen: int
    released_fen: int
    refunded_fen: int
    held_fen: int
    pending_fen: int
    obligations_fen: int


@dataclass
class DisputeSnapshot(Dispute):
    """A dispute with what it holds now (0 once decided): the amount a case for it must claim.

    Snapshots taken before it was carried (recorded projections, old stored summaries) read as 0.
    """

    disputed_fen: int = field(default=0, kw_only=True)


@dataclass
class Disputable:
    """What a `dispute.raise` may name now: `EscrowMachine.disputable`, the checks the step makes."""

    stages: list[int]
    retention: bool


@dataclass
class EscrowSnapshot:
    escrow_id: str
    title: str
    version: int
    phase: Phase
    terms_hash: str
    owner_id: str
    contractor_id: str
    inspector_id: str
    silence_policy: SilencePolicy
    signed_by: list[str]
    funding_due: Stamp
    contract_total_fen: int
    current_stage: int | None
    shortfall_fen: int
    ledger: LedgerSnapshot
    stages: list[Stage]
    retention: Retention
    movements: list[Movement]
    disputes: list[DisputeSnapshot]
    claims: list[WarrantyClaim]
    change_proposal: ChangeProposal | None
    changes_applied: int
    cancel_signed_by: list[str]
    # absent from snapshots taken before one-sided requests had a window (recorded projections)
    cancellation: CancellationRequest | None = field(default=None, kw_only=True)
    alerts: list[Alert]
    # what the escrow awaits (EscrowMachine.open_actions) and what may be disputed; snapshots
    # taken before they were carried read as nothing open and nothing disputable
    open_actions: list[OpenAction] = field(default_factory=list, kw_only=True)
    disputable: Disputable = field(
        default_factory=lambda: Disputable(stages=[], retention=False), kw_only=True
    )
    trail_head: str
    trail_length: int

    def awaited(self) -> list[OpenAction]:
        """The open actions something waits for (not the steps one may take at will)."""
        return [a for a in self.open_actions if a.at_deadline is not AtDeadline.NOT_AWAITED]

    def waits_for(self, party_id: str) -> bool:
        """Whether an awaited action is this party's: the lists' "waiting for you" marker."""
        return any(action.party_id == party_id for action in self.awaited())

    def held_parts(self) -> tuple[list[int], int]:
        """How much of each stage's open amount, and of the retention's, is money the bank holds.

        What a stage still owes (`open_fen`) is only held once it was deposited: before the deposit,
        or after a change order raised the total, part of it is still to come. The money held and not
        on its way out (`held - pending`, the ledger's own figures) covers the open amounts in the
        order they fall due, the stages first, then the retention; whatever it does not cover is to
        deposit.
        """
        free = max(self.ledger.held_fen - self.ledger.pending_fen, 0)
        parts = []
        for stage in self.stages:
            parts.append(min(stage.open_fen, free))
            free -= parts[-1]
        return parts, min(self.retention.open_fen, free)


ESCROW_SNAPSHOT = TypeAdapter(EscrowSnapshot)


def summary_document(snapshot: EscrowSnapshot) -> dict[str, Any]:
    """The snapshot as JSON values, what the read model stores (and the API answers)."""
    document: dict[str, Any] = ESCROW_SNAPSHOT.dump_python(snapshot, mode="json")
    return document


def read_summary(summary_json: str | bytes) -> EscrowSnapshot:
    """A stored `summary_json` (or the API's answer) read back into the snapshot it was."""
    return ESCROW_SNAPSHOT.validate_json(summary_json)
