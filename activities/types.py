"""Typed inputs and outputs of activities, importable by workflows without any I/O code."""

from dataclasses import dataclass, field
from typing import Any


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
    escrow_id: str
    version: int
    snapshot: dict[str, Any]
    audit_entries: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
