"""A party's money statement: every deposit, release, holdback, refund and pending payout of an
escrow, each with the step that caused it. Pure: the pages (web/statement_pages.py) fetch the
three sources and hand them in.

- The bank's statement says what moved: its date, amount, reference and transaction id, keyed by
  the business idempotency key the escrow gave the movement (`{escrow_id}:stage-3:release`,
  domain/escrow/machine.py `_move`). Deposits carry whatever key the payer's bank sent.
- The escrow's snapshot says what was decided and not yet confirmed (a movement still pending, or
  refused by the bank and so still held) and what partial acceptances hold back.
- The signed trail says who decided it: the key names the stage, dispute, change order or warranty
  claim, and the trail's last step of the matching action on that thing is the cause. A movement
  no signed step made (a deadline passed: funding expired, the owner stayed silent under the
  auto-accept policy, the warranty ran out; a deposit refunded because it came after the close or
  above the total) names that event instead, and a key this module does not know is listed with
  an unknown cause rather than dropped, so the statement still adds up to the bank's.

Where the bank and the snapshot both know a movement, the bank wins (the snapshot may not have
the receipt yet); when the bank did not answer, the snapshot's movements are listed alone.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.escrow.snapshot import EscrowSnapshot
from domain.escrow.state import Movement, MovementKind, MovementStatus

CONFIRMED, PENDING, REFUSED = "confirmed", "pending", "refused"
# what caused a line when no signed step did (each has its words: money_statement.cause.*)
BANK_DEPOSIT = "bank.deposit"
DEPOSIT_RETURNED = "bank.deposit_returned"
FUNDING_EXPIRED = "deadline.funding_expired"
OWNER_SILENT = "deadline.owner_silent"
WARRANTY_EXPIRED = "deadline.warranty_expired"
UNKNOWN = "unknown"
EVENT_CAUSES = (BANK_DEPOSIT, DEPOSIT_RETURNED, FUNDING_EXPIRED, OWNER_SILENT, WARRANTY_EXPIRED, UNKNOWN)


class LineKind(StrEnum):
    DEPOSIT = "deposit"  # the owner's money into the escrow account
    RELEASE = "release"  # paid (or to be paid) to the contractor
    HOLDBACK = "holdback"  # kept back from a stage by a partial acceptance
    REFUND = "refund"  # back to the owner


BANK_KINDS = {"deposit": LineKind.DEPOSIT, "payout": LineKind.RELEASE, "refund": LineKind.REFUND}
MOVEMENT_KINDS = {MovementKind.PAYOUT: LineKind.RELEASE, MovementKind.REFUND: LineKind.REFUND}
MOVEMENT_STATUSES = {MovementStatus.PENDING: PENDING, MovementStatus.FAILED: REFUSED}


class BankEntry(Protocol):
    """One line of the bank's statement (sandbox_bank.client.StatementEntry is one)."""

    @property
    def tx_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def amount_fen(self) -> int: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class TrailStep:
    """An accepted signed step as the audit log keeps it: its number, action, time and payload."""

    seq: int
    action: str
    recorded_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Cause:
    """A signed step (`seq` is its trail entry) or, with `seq` None, one of `EVENT_CAUSES`."""

    action: str
    seq: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Part:
    """What of the contract a line concerns: stages by number, and or the retention."""

    stages: tuple[int, ...] = ()
    retention: bool = False


@dataclass(frozen=True)
class StatementLine:
    escrow_id: str
    title: str
    kind: LineKind
    status: str  # confirmed | pending | refused, or a holdback's held | released | settled | refunded
    amount_fen: int
    at: datetime | None  # the bank's booking; else when the step decided it; None if neither is known
    reference: str  # the bank's reference ("" until the bank books it)
    tx_id: str
    key: str  # the business idempotency key ("" for a holdback, which moves nothing)
    part: Part
    cause: Cause


@dataclass(frozen=True)
class Totals:
    deposited_fen: int
    released_fen: int
    refunded_fen: int
    pending_fen: int  # releases decided and not confirmed by the bank (pending or refused)
    held_back_fen: int  # holdbacks still held


def escrow_statement(
    snapshot: EscrowSnapshot, bank: Sequence[BankEntry] | None, trail: Sequence[TrailStep]
) -> list[StatementLine]:
    """The escrow's lines in date order (undated last); `bank` None when the bank did not answer."""
    causes = _Causes(snapshot, trail)
    prefix = f"{snapshot.escrow_id}:"
    lines = []
    booked = set()
    for entry in bank or ():
        booked.add(entry.idempotency_key)
        kind = BANK_KINDS.get(entry.kind, LineKind.RELEASE)
        if kind is LineKind.DEPOSIT:
            part, cause = Part(), Cause(BANK_DEPOSIT)
        else:
            part, cause = causes.of(entry.idempotency_key.removeprefix(prefix))
        line = StatementLine(
            snapshot.escrow_id,
            snapshot.title,
            kind,
            CONFIRMED,
            entry.amount_fen,
            entry.created_at,
            entry.reference,
            entry.tx_id,
            entry.idempotency_key,
            part,
            cause,
        )
        lines.append(line)
    lines += [_unbooked(snapshot, m, causes) for m in snapshot.movements if m.key not in booked]
    lines += _holdbacks(snapshot, causes)
    return sorted(lines, key=_order)


def across(statements: Iterable[list[StatementLine]]) -> list[StatementLine]:
    """Several escrows' lines as one statement, in date order."""
    return sorted((line for lines in statements for line in lines), key=_order)


def totals(lines: Sequence[StatementLine]) -> Totals:
    def of(kind: LineKind, *statuses: str) -> int:
        return sum(line.amount_fen for line in lines if line.kind is kind and line.status in statuses)

    return Totals(
        deposited_fen=of(LineKind.DEPOSIT, CONFIRMED),
        released_fen=of(LineKind.RELEASE, CONFIRMED),
        refunded_fen=of(LineKind.REFUND, CONFIRMED),
        pending_fen=of(LineKind.RELEASE, PENDING, REFUSED),
        held_back_fen=of(LineKind.HOLDBACK, "held"),
    )


def _order(line: StatementLine) -> tuple[bool, datetime | None, int, str]:
    return (line.at is None, line.at, line.cause.seq or 0, line.key)


def _unbooked(snapshot: EscrowSnapshot, movement: Movement, causes: "_Causes") -> StatementLine:
    """A movement the bank's statement does not show: decided and pending or refused, or (when the
    bank did not answer) confirmed by the receipt the escrow holds."""
    part, cause = causes.of(movement.key.removeprefix(f"{snapshot.escrow_id}:"))
    return StatementLine(
        snapshot.escrow_id,
        snapshot.title,
        MOVEMENT_KINDS[movement.kind],
        MOVEMENT_STATUSES.get(movement.status, CONFIRMED),
        movement.amount_fen,
        cause.at,
        "",
        movement.tx_id or "",
        movement.key,
        part,
        cause,
    )


def _holdbacks(snapshot: EscrowSnapshot, causes: "_Causes") -> list[StatementLine]:
    lines = []
    for stage in snapshot.stages:
        cause = causes.on_stage("stage.accept_partial", stage.number)
        for holdback in stage.holdbacks:
            line = StatementLine(
                snapshot.escrow_id,
                snapshot.title,
                LineKind.HOLDBACK,
                holdback.status,
                holdback.amount_fen,
                cause.at,
                "",
                "",
                "",
                Part(stages=(stage.number,)),
                cause,
            )
            lines.append(line)
    return lines


STAGE_RELEASE = re.compile(r"stage-(\d+):release")
HOLDBACK_RELEASE = re.compile(r"stage-(\d+):holdback-(.+):release")
DISPUTE_MOVE = re.compile(r"dispute-(\d+):(?:pay|refund)")
CHANGE_REFUND = re.compile(r"change-(\d+):refund")
CLAIM_RELEASE = re.compile(r"warranty-claim-(\d+):release")
DEPOSIT_REFUND = re.compile(r"deposit-.+:(?:excess-)?refund")


class _Causes:
    """Reads a business key (without its escrow prefix) into the part it concerns and its cause."""

    def __init__(self, snapshot: EscrowSnapshot, trail: Sequence[TrailStep]) -> None:
        self._snapshot = snapshot
        self._trail = trail

    def step(self, action: str, matches: Callable[[dict[str, Any]], bool], otherwise: str = UNKNOWN) -> Cause:
        """The trail's last step of this action whose payload matches; `otherwise` when none does."""
        found = [s for s in self._trail if s.action == action and matches(s.payload)]
        if not found:
            return Cause(otherwise)
        last = found[-1]
        return Cause(last.action, last.seq, last.recorded_at)

    def on_stage(self, action: str, number: int, otherwise: str = UNKNOWN) -> Cause:
        return self.step(action, lambda payload: payload.get("stage") == number, otherwise)

    def of(self, suffix: str) -> tuple[Part, Cause]:
        if match := STAGE_RELEASE.fullmatch(suffix):
            number = int(match[1])
            accepted = self.on_stage("stage.accept", number, OWNER_SILENT)
            partly = self.on_stage("stage.accept_partial", number)
            return Part(stages=(number,)), partly if partly.seq is not None else accepted
        if match := HOLDBACK_RELEASE.fullmatch(suffix):
            number, item = int(match[1]), match[2]
            signed_off = self.step(
                "holdback.release", lambda p: p.get("stage") == number and item in p.get("items", ())
            )
            return Part(stages=(number,)), signed_off
        if match := DISPUTE_MOVE.fullmatch(suffix):
            number = int(match[1])
            disputes = self._snapshot.disputes
            dispute = disputes[number - 1] if 0 < number <= len(disputes) else None
            part = Part(tuple(dispute.stages), dispute.include_retention) if dispute else Part()
            return part, self.step("dispute.decide", lambda p: p.get("dispute") == number)
        if match := CHANGE_REFUND.fullmatch(suffix):
            number = int(match[1])
            return Part(), self.step("change_order.sign", lambda p: p.get("change_no") == number)
        if match := CLAIM_RELEASE.fullmatch(suffix):
            number = int(match[1])
            return Part(retention=True), self.step("warranty.withdraw", lambda p: p.get("claim") == number)
        if suffix == "cancel:refund":
            return Part(), self.step("cancel.sign", lambda p: True)
        if suffix == "funding-expired:refund":
            return Part(), Cause(FUNDING_EXPIRED)
        if suffix == "retention:release":
            return Part(retention=True), Cause(WARRANTY_EXPIRED)
        if DEPOSIT_REFUND.fullmatch(suffix):
            return Part(), Cause(DEPOSIT_RETURNED)
        return Part(), Cause(UNKNOWN)
