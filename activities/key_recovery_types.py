"""Typed inputs and outputs of the key recovery workflow and its activities, importable by workflows."""

from dataclasses import dataclass, field

from activities.types import NotifyInput


@dataclass
class RecoveryInput:
    """A recovery both council members signed: it takes effect at `effective_at` (ISO 8601)
    unless a surviving key of `party_id` cancels it first."""

    request_id: str
    party_id: str
    effective_at: str


@dataclass
class RecoveryCancel:
    """A surviving key's cancellation, its signature already checked by the API (db.keys.signing_key)."""

    key_id: str


@dataclass
class RecoveryStatus:
    state: str  # waiting | applying | cancelled | done | failed
    effective_at: str
    cancelled_by_key: str | None = None
    failure: str | None = None


@dataclass
class RecoveryApply:
    """Apply the recovery at `at`, the workflow's clock (ISO 8601): the ring checks the waiting period
    against it, not against the worker's wall clock."""

    request_id: str
    at: str


@dataclass
class RecoveryApplied:
    applied: bool
    failure: str | None = None  # the refusal's code when it could no longer be applied
    notices: list[NotifyInput] = field(default_factory=list)  # the other parties of each open process


@dataclass
class RecoveryClose:
    request_id: str
    state: str  # cancelled
    at: str
    cancelled_by_key: str | None = None
