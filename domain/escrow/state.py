"""The escrow's state: plain dataclasses the machine mutates and the workflow queries.

Their moments are `Stamp`s (datetimes written as isoformat), so a snapshot can carry them as they are
(domain/escrow/snapshot.py)."""

from dataclasses import dataclass, field
from enum import StrEnum

from domain.open_actions import Stamp


class Phase(StrEnum):
    DRAFT = "draft"  # waiting for both signatures
    FUNDING = "funding"  # signed, waiting for the full deposit
    ACTIVE = "active"  # stages under way
    WARRANTY = "warranty"  # all stages done, retention held
    CLOSED = "closed"
    CANCELLED = "cancelled"


class StageStatus(StrEnum):
    AWAITING_REQUEST = "awaiting_request"
    INSPECTION_REQUESTED = "inspection_requested"
    RECTIFYING = "rectifying"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    ACCEPTED = "accepted"  # release instructed (holdbacks may still be held)
    SETTLED = "settled"  # closed by a dispute decision
    CANCELLED = "cancelled"


STAGE_DONE = {StageStatus.ACCEPTED, StageStatus.SETTLED, StageStatus.CANCELLED}


class MovementKind(StrEnum):
    PAYOUT = "payout"  # to the contractor
    REFUND = "refund"  # back to the owner


class MovementReason(StrEnum):
    """Why money moves, as a code: the pages and messages say it in the reader's language
    (web `movement.reason.*`, notify `movement_reasons`), and the bank gets it as the transfer's
    reference, so a statement line reads the same in both."""

    ACCEPTED = "accepted"  # the owner accepted the stage
    ACCEPTED_WITH_HOLDBACK = "accepted_with_holdback"  # the owner accepted part, holding some back
    OWNER_SILENT = "owner_silent"  # the acceptance window ran out under the auto-accept policy
    HOLDBACK_SIGNED_OFF = "holdback_signed_off"  # the owner signed off a held-back defect
    DISPUTE_DECISION = "dispute_decision"
    WARRANTY_UNCLAIMED = "warranty_unclaimed"  # the warranty ran out with the retention unclaimed
    WARRANTY_CLAIM_WITHDRAWN = "warranty_claim_withdrawn"
    MUTUAL_CANCELLATION = "mutual_cancellation"
    NOT_FUNDED_IN_TIME = "not_funded_in_time"
    CHANGE_LOWERED_TOTAL = "change_lowered_total"  # a signed change order lowered the total
    DEPOSIT_ABOVE_TOTAL = "deposit_above_total"  # the excess of a deposit over what is owed
    DEPOSIT_AFTER_CLOSE = "deposit_after_close"


class MovementStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # the bank refused: money stays held, the council is alerted


@dataclass
class Movement:
    key: str  # business idempotency key, e.g. ESC-2026-00001:stage-3:release
    kind: MovementKind
    amount_fen: int
    # a plain string only in an escrow of release 0.1.0, which wrote its reasons in English (its
    # warranty run is handed them as they were, docs/VERSIONING.md): shown as written
    reason: MovementReason | str
    status: MovementStatus = MovementStatus.PENDING
    tx_id: str | None = None
    error: str | None = None


@dataclass
class ItemEvidence:
    """One item of an inspection request: what the contractor says of it, and its photos."""

    note: str
    files: list[str]  # file hashes, as signed (domain/steps/files.py)


@dataclass
class InspectionRequest:
    """What the contractor asked the inspector to look at in a round (signed by the contractor)."""

    round: int
    note: str
    files: list[str]  # of the stage as a whole
    items: list[ItemEvidence]
    requested_at: Stamp


@dataclass
class Defect:
    description: str
    location: str
    cost_estimate_fen: int
    photos: list[str] = field(default_factory=list)  # the files that show it


@dataclass
class InspectionReport:
    round: int
    result: str  # pass | fail
    defects: list[Defect]
    report_hash: str
    signed_at: Stamp
    files: list[str] = field(default_factory=list)  # what the inspector attached to the report


@dataclass
class Holdback:
    item: str
    description: str
    amount_fen: int
    status: str = "held"  # held | released | settled | refunded


@dataclass
class Stage:
    number: int
    name: str
    amount_fen: int
    open_fen: int  # owed to someone and not yet instructed to move
    status: StageStatus = StageStatus.AWAITING_REQUEST
    round: int = 0
    failed_rounds: int = 0
    last_request: InspectionRequest | None = None  # the latest round's, with its note and files
    report_due: Stamp | None = None
    report_overdue_alerted: bool = False
    acceptance_due: Stamp | None = None
    rework_due: Stamp | None = None
    rework_overdue_alerted: bool = False
    last_report: InspectionReport | None = None
    holdbacks: list[Holdback] = field(default_factory=list)
    dispute: int | None = None  # number of the open dispute freezing this stage
    paid_fen: int = 0  # released for this stage's own acceptance and holdbacks


@dataclass
class Retention:
    amount_fen: int
    open_fen: int
    warranty_due: Stamp | None = None
    expired: bool = False
    dispute: int | None = None


@dataclass
class WarrantyClaim:
    number: int
    description: str
    amount_fen: int
    evidence: list[str]  # file hashes, as signed
    filed_at: Stamp
    status: str = "open"  # open | withdrawn | settled


class DisputeCause(StrEnum):
    """Why a dispute opened: a party raised it (its `reason` is their words), or a rule of the
    contract did. The machine stores the code, the pages and messages say it in the reader's
    language (web `dispute.cause.*`, notify `dispute_causes`)."""

    RAISED = "raised"
    INSPECTION_FAILED_REPEATEDLY = "inspection_failed_repeatedly"  # raised by "system"
    OWNER_SILENT = "owner_silent"  # the acceptance window ran out under the dispute policy; "system"
    CANCELLATION_UNANSWERED = "cancellation_unanswered"  # raised by the asker; `reason` is theirs


@dataclass
class Dispute:
    number: int
    raised_by: str  # owner | contractor | system
    reason: str  # the raising party's words; "" when a rule opened it
    stages: list[int]
    include_retention: bool
    evidence: list[str]  # file hashes, as signed
    raised_at: Stamp
    status: str = "open"  # open | decided | cancelled | withdrawn (with its case)
    outcome: str | None = None
    pay_fen: int = 0
    refund_fen: int = 0
    case_id: str | None = None  # the expert-panel case deciding it, a child of the escrow
    cause: DisputeCause = DisputeCause.RAISED


@dataclass
class CancellationRequest:
    """A cancellation one side signed; the other agrees by signing it too, before `answer_due`."""

    asked_by: str  # owner | contractor
    reason: str
    # the workflow's clock when the first side signed, pages say "asked on"; None in snapshots
    # taken before requests were dated
    asked_at: Stamp | None = field(default=None, kw_only=True)
    answer_due: Stamp
    dispute: int | None = None  # opened when the window ran out unanswered


@dataclass
class ChangeProposal:
    change_no: int
    from_stage: int
    stages: list[tuple[str, int]]
    retention_fen: int
    plan_hash: str
    signed_by: list[str]


@dataclass
class Ledger:
    deposited_fen: int = 0
    released_fen: int = 0
    refunded_fen: int = 0

    @property
    def held_fen(self) -> int:
        return self.deposited_fen - self.released_fen - self.refunded_fen
