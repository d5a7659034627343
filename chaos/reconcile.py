"""After the storm: for every escrow, the bank's ledger vs the workflow's state vs the read model.

Each escrow gets four verdicts, each a list of reasons (empty means fine):

- double payout: the bank moved money out more than the workflow asked, i.e. a
  business key booked twice, a movement the workflow never planned, more paid than
  the workflow's ledger says;
- missing payout: the workflow counts a movement done that the bank never booked,
  a movement still pending at the end, or a closed escrow whose contractor was not
  paid the whole contract;
- unbalanced: the workflow's own money rules (`conservation_problems`: the ledger
  against what each stage and the retention hold, and the bank's balance against
  those parts) or its ledger against the bank account's balance, deposits, payouts
  and refunds;
- mismatched projection: the read model row is missing or differs from the
  workflow's state (phase, amounts, version);
- unreplayable history: the workflow's history does not replay on the code that made
  it. A worker that kept the workflow cached can still finish it, so nothing else shows
  the fault; but the next worker to pick it up (after a restart, for a query) cannot.
  This is how projections as local activities were caught (docs/BENCHMARKS.md). Every run
  is replayed (an escrow continues as new into its warranty, a fund every so many changes);
  a history that does not replay is written to the run's log directory as
  `ESC-….history.json` (`ESC-…_run2.history.json` for a later run).

An escrow is completed when its workflow has completed in phase `closed`.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowQueryFailedError,
)
from temporalio.service import RPCError
from temporalio.worker import Replayer

from client.escrow_session import conservation_problems
from db import crud
from db.models import EscrowProjection
from domain.escrow.snapshot import EscrowSnapshot
from sandbox_bank.client import BankClient
from workflows.case import CaseWorkflow
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id
from workflows.runs import run_histories

CHECKS = (
    "double_payouts",
    "missing_payouts",
    "unbalanced",
    "mismatched_projections",
    "unreplayable_histories",
)


@dataclass
class EscrowFindings:
    escrow_id: str
    phase: str = "unknown"
    completed: bool = False
    problems: dict[str, list[str]] = field(default_factory=lambda: {check: [] for check in CHECKS})

    @property
    def clean(self) -> bool:
        return self.completed and not any(self.problems.values())


@dataclass
class Reconciliation:
    escrows: list[EscrowFindings]
    funds: list[EscrowFindings] = field(default_factory=list)  # chaos/fund_checks.py: the same verdicts

    def count(self, check: str) -> int:
        return sum(1 for e in [*self.escrows, *self.funds] if e.problems[check])

    @property
    def completed(self) -> int:
        return sum(1 for e in self.escrows if e.completed)

    @property
    def ok(self) -> bool:
        return all(e.clean for e in [*self.escrows, *self.funds])

    def phases(self) -> Counter[str]:
        return Counter(e.phase for e in self.escrows)

    def last_line(self) -> str:
        counts = " ".join(f"{check}={self.count(check)}" for check in CHECKS)
        funds = f"funds={len(self.funds)} funds_completed={sum(1 for f in self.funds if f.completed)}"
        return f"chaos: escrows={len(self.escrows)} completed={self.completed} {funds} {counts}"


async def wait_until_closed(temporal: Client, escrow_ids: list[str], seconds: float) -> None:
    """Give workflows still finishing (last projection, last receipt) time to complete."""
    deadline = time.monotonic() + seconds
    pending = list(escrow_ids)
    while pending and time.monotonic() < deadline:
        statuses = await asyncio.gather(*(_status(temporal, e) for e in pending))
        pending = [
            e for e, s in zip(pending, statuses, strict=True) if s is not WorkflowExecutionStatus.COMPLETED
        ]
        if pending:
            await asyncio.sleep(0.5)


async def _status(temporal: Client, escrow_id: str) -> WorkflowExecutionStatus | None:
    try:
        return (await temporal.get_workflow_handle(escrow_workflow_id(escrow_id)).describe()).status
    except Exception:  # not reachable right now: counts as not completed yet
        return None


async def reconcile(
    escrow_ids: list[str], *, temporal: Client, bank: BankClient, engine: Engine, keep_dir: Path
) -> Reconciliation:
    replayer = Replayer(workflows=[EscrowWorkflow, CaseWorkflow])
    findings = [
        await reconcile_one(
            e, temporal=temporal, bank=bank, engine=engine, replayer=replayer, keep_dir=keep_dir
        )
        for e in escrow_ids
    ]
    return Reconciliation(findings)


async def reconcile_one(
    escrow_id: str, *, temporal: Client, bank: BankClient, engine: Engine, replayer: Replayer, keep_dir: Path
) -> EscrowFindings:
    """The verdicts on one escrow (`replayed_then_read` says what an unreplayable one gets)."""
    found = EscrowFindings(escrow_id)
    handle = temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
    snapshot = await replayed_then_read(temporal, handle, EscrowWorkflow.snapshot, found, replayer, keep_dir)
    if snapshot is None:
        return found
    found.phase = snapshot.phase.value
    found.completed = (
        await _status(temporal, escrow_id) is WorkflowExecutionStatus.COMPLETED and found.phase == "closed"
    )
    statement = await bank.statement(escrow_id)
    balance = await bank.balance(escrow_id)
    with Session(engine) as session:
        row = crud.get_escrow_projection(session=session, escrow_id=escrow_id)
        projection = None if row is None else row.model_dump()
    found.problems["double_payouts"] = double_payouts(snapshot, statement)
    found.problems["missing_payouts"] = missing_payouts(snapshot, statement)
    found.problems["unbalanced"] = unbalanced(snapshot, balance)
    found.problems["mismatched_projections"] = mismatched_projection(snapshot, projection)
    return found


async def replayed_then_read(
    temporal: Client,
    handle: WorkflowHandle[Any, Any],
    snapshot: Any,
    found: EscrowFindings,
    replayer: Replayer,
    keep_dir: Path,
) -> Any:
    """Each run's history replayed, first to last (one that does not is kept in `keep_dir` to be
    studied), then the latest run's `snapshot` query answered (it holds the whole life: an earlier
    run's is carried); None when it cannot answer (the worker must replay it to), with that verdict
    in `found`, as the rest would need the state it cannot tell."""
    found.problems["unreplayable_histories"] = []
    runs = await run_histories(temporal, handle.id)
    for number, history in enumerate(runs, start=1):
        problems = await unreplayable(history, replayer)
        if problems:
            suffix = "" if number == 1 else f"_run{number}"
            (keep_dir / f"{found.escrow_id}{suffix}.history.json").write_text(history.to_json())
            run = "" if len(runs) == 1 else f"run {number} of {len(runs)} "
            found.problems["unreplayable_histories"] += [f"{run}{problem}" for problem in problems]
    try:
        return await handle.query(snapshot)
    except (WorkflowQueryFailedError, RPCError) as exc:
        found.problems["unreplayable_histories"].append(f"does not answer a query: {exc}")
        return None


async def unreplayable(history: WorkflowHistory, replayer: Replayer) -> list[str]:
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return [] if result.replay_failure is None else [f"does not replay: {result.replay_failure}"]


def _outgoing(statement: list[Any]) -> list[Any]:
    return [entry for entry in statement if entry.kind in ("payout", "refund")]


@dataclass(frozen=True)
class Planned:
    """A movement a workflow instructed, as the bank books it: `kind` is the bank's (payout | refund)."""

    key: str
    kind: str
    amount_fen: int
    status: str  # pending | done | failed
    error: str | None


def escrow_planned(snapshot: EscrowSnapshot) -> list[Planned]:
    return [Planned(m.key, m.kind.value, m.amount_fen, m.status.value, m.error) for m in snapshot.movements]


def double_payouts(snapshot: EscrowSnapshot, statement: list[Any]) -> list[str]:
    return planned_paid_twice(escrow_planned(snapshot), statement)


def planned_paid_twice(planned: list[Planned], statement: list[Any]) -> list[str]:
    """Money out that no instruction explains: a key booked twice, a payment never planned, one
    larger than planned or of another kind (an escrow's and a fund's movements alike)."""
    problems = []
    keys = Counter(entry.idempotency_key for entry in statement)
    problems += [f"the bank booked {key} {n} times" for key, n in keys.items() if n > 1]
    by_key = {m.key: m for m in planned}
    for entry in _outgoing(statement):
        movement = by_key.get(entry.idempotency_key)
        if movement is None:
            problems.append(f"the bank paid {entry.idempotency_key}, which the workflow never planned")
        elif entry.amount_fen > movement.amount_fen or entry.kind != movement.kind:
            problems.append(
                f"{entry.idempotency_key}: bank {entry.kind} {entry.amount_fen}, planned {movement}"
            )
    return problems


def missing_payouts(snapshot: EscrowSnapshot, statement: list[Any]) -> list[str]:
    problems = planned_not_booked(escrow_planned(snapshot), statement)
    ledger = snapshot.ledger
    if snapshot.phase == "closed" and ledger.released_fen != snapshot.contract_total_fen:
        problems.append(f"closed with {ledger.released_fen} of {snapshot.contract_total_fen} released")
    return problems


def planned_not_booked(planned: list[Planned], statement: list[Any]) -> list[str]:
    """Instructions the bank did not carry out in full: still pending, refused, never booked, or
    booked for less."""
    booked = {entry.idempotency_key: entry for entry in _outgoing(statement)}
    problems = []
    for movement in planned:
        if movement.status == "pending":
            problems.append(f"{movement.key} still pending")
        elif movement.status == "done" and movement.key not in booked:
            problems.append(f"{movement.key} done in the workflow, never booked by the bank")
        elif movement.status == "failed":
            problems.append(f"{movement.key} refused by the bank: {movement.error}")
        elif booked[movement.key].amount_fen < movement.amount_fen:
            problems.append(f"{movement.key} booked for less than planned")
    return problems


def unbalanced(snapshot: EscrowSnapshot, balance: Any) -> list[str]:
    ledger = snapshot.ledger
    problems = conservation_problems(snapshot, balance.balance_fen)
    pairs = [
        ("held", ledger.held_fen, balance.balance_fen),
        ("deposited", ledger.deposited_fen, balance.deposited_fen),
        ("released", ledger.released_fen, balance.paid_out_fen),
        ("refunded", ledger.refunded_fen, balance.refunded_fen),
    ]
    problems += [f"{name}: workflow {ours} != bank {banks}" for name, ours, banks in pairs if ours != banks]
    return problems


def mismatched_projection(snapshot: EscrowSnapshot, row: dict[str, Any] | None) -> list[str]:
    ledger = snapshot.ledger
    expected = {
        "status": snapshot.phase.value,
        "version": snapshot.version,
        "deposited_fen": ledger.deposited_fen,
        "released_fen": ledger.released_fen,
        "refunded_fen": ledger.refunded_fen,
        "held_fen": ledger.held_fen,
    }
    return row_differs(expected, row)


def row_differs(expected: dict[str, Any], row: dict[str, Any] | None) -> list[str]:
    """Each value of a read-model row that is not the workflow's (an escrow's or a fund's)."""
    if row is None:
        return ["no read-model row"]
    return [
        f"{name}: read model {row[name]!r}, workflow {value!r}"
        for name, value in expected.items()
        if row[name] != value
    ]


def stray_escrows(engine: Engine, escrow_ids: list[str]) -> list[str]:
    """Escrows in the read model that no driver ran: a create that timed out yet did start one.

    The driver sends each create with an Idempotency-Key, so a create whose answer was
    lost and is asked again gets the same escrow back: any stray here is a draft left
    behind despite the key, unsigned and unfunded. The run's database holds nothing else.
    """
    with Session(engine) as session:
        known = set(escrow_ids)
        return [e for e in session.exec(select(EscrowProjection.escrow_id)).all() if e not in known]
