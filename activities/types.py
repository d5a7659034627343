"""Typed inputs and outputs of activities, importable by workflows without any I/O code."""

from dataclasses import dataclass, field
from typing import Any

from domain.alert_codes import AlertCode, AlertParams
from domain.case.snapshot import CaseSnapshot
from domain.escrow.snapshot import EscrowSnapshot
from domain.fund.snapshot import FundSnapshot


@dataclass
class OpenAccountInput:
    escrow_id: str


@dataclass
class MovementInput:
    escrow_id: str
    idempotency_key: str
    kind: str  # payout | refund
    amount_fen: int
    beneficiary: str
    reference: str


@dataclass
class MovementReceipt:
    tx_id: str


@dataclass
class ProjectionInput:
    """An escrow's snapshot at `version`; `projected_at` is the workflow's clock (None in older runs)."""

    escrow_id: str
    version: int
    snapshot: EscrowSnapshot
    audit_entries: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    projected_at: str | None = None


@dataclass
class FundProjectionInput:
    """A fund's snapshot at `version` with its trail entries and alerts not projected yet."""

    fund_id: str
    version: int
    snapshot: FundSnapshot
    audit_entries: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CandidatesInput:
    domain: str


@dataclass
class PanelCandidates:
    """The registry as the draw saw it: expert documents and the signing keys of those linked to a party."""

    experts: list[dict[str, Any]]
    keys: dict[str, dict[str, str]]  # expert_id -> {"party_id", "public_key"}


@dataclass
class EscrowDecisionInput:
    escrow_id: str
    envelope: dict[str, Any]
    signature: str


@dataclass
class EscrowDecisionResult:
    applied: bool
    detail: str
    code: str | None = None  # the escrow's refusal code, when it refused (none in older histories)


@dataclass
class PanelSeatsInput:
    case_id: str
    seated: list[str]  # the whole current panel; empty once the case is over


@dataclass
class CaseProjectionInput:
    """A case's snapshot at `version` with its trail entries and alerts not projected yet.

    `main_specialty` (the claim's category) and `projected_at` (the workflow's clock) are
    None in runs from before the public record needed them.
    """

    case_id: str
    version: int
    snapshot: CaseSnapshot
    audit_entries: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    main_specialty: str | None = None
    projected_at: str | None = None


@dataclass
class CouncilAlertInput:
    """An alert about an escrow or a case (`subject_id`), raised once per `business_key`."""

    subject_id: str
    kind: str
    code: AlertCode
    params: AlertParams
    business_key: str


@dataclass
class EvidenceSweepInput:
    """Delete files no signed step names that were uploaded and last named over `grace_hours` ago."""

    grace_hours: int


@dataclass
class EvidenceSweepResult:
    files_deleted: int
    uploads_abandoned: int  # `incoming/` objects an interrupted upload left behind


@dataclass
class NotifyInput:
    """One message to one party (activities/notify.py): `event_key` names the event, so telling it
    again (a retry, a replay) adds nothing; `params` as notify/messages.py PARAMS declares for `kind`;
    `link` the page's path (/my/escrows/ESC-...). `quiet_now`: the caller's clock is in quiet hours
    (notify/quiet_hours.py), so SMS and chat deliveries are recorded but not sent, unless the party
    turned quiet hours off; the caller calls again when they end, which sends them."""

    party_id: str
    kind: str
    event_key: str
    subject_id: str | None
    params: dict[str, Any]
    link: str
    quiet_now: bool = False
