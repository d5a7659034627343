"""After the storm, each fund as each escrow (chaos/reconcile.py): the bank's account vs the fund
workflow's state vs the read model, and its history replayed; the same five verdicts.

Every run of a fund's workflow is replayed (it continues as new every so many changes), and the
latest run's snapshot, which carries the whole life, is read against the bank and the read model.

A fund is completed when it holds its pledge again, owes nothing, and paid every overdue case it
was handed (a fund never ends: its workflow runs as long as its business).
"""

import asyncio
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError
from temporalio.worker import Replayer

from chaos.funds import PLEDGE_FEN
from chaos.reconcile import (
    EscrowFindings,
    Planned,
    planned_not_booked,
    planned_paid_twice,
    replayed_then_read,
    row_differs,
)
from db import funds
from domain.fund.snapshot import FundSnapshot
from domain.fund.state import FundMovementKind
from sandbox_bank.client import BankClient
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id

BANK_KIND = {FundMovementKind.ADVANCE: "payout", FundMovementKind.WITHDRAWAL: "refund"}


async def reconcile_fund(
    fund_id: str, *, temporal: Client, bank: BankClient, engine: Engine, replayer: Replayer, keep_dir: Path
) -> EscrowFindings:
    found = EscrowFindings(fund_id)
    handle = temporal.get_workflow_handle_for(FundWorkflow.run, fund_workflow_id(fund_id))
    snapshot: FundSnapshot | None = await replayed_then_read(
        temporal, handle, FundWorkflow.snapshot, found, replayer, keep_dir
    )
    if snapshot is None:
        return found
    found.phase = f"fund {snapshot.status.value}"
    ledger = snapshot.ledger
    found.completed = (
        ledger.owed_fen == 0
        and ledger.held_fen == PLEDGE_FEN
        and bool(snapshot.claims)
        and all(claim.advanced for claim in snapshot.claims)
    )
    statement = await bank.statement(fund_id)
    balance = await bank.balance(fund_id)
    with Session(engine) as session:
        row = funds.get_fund(session=session, fund_id=fund_id)
        projection = None if row is None else row.model_dump()
    planned = fund_planned(snapshot)
    found.problems["double_payouts"] = planned_paid_twice(planned, statement)
    found.problems["missing_payouts"] = planned_not_booked(planned, statement)
    found.problems["unbalanced"] = fund_unbalanced(snapshot, balance)
    found.problems["mismatched_projections"] = fund_projection_differs(snapshot, projection)
    return found


async def wait_until_projected(temporal: Client, engine: Engine, fund_ids: list[str], seconds: float) -> None:
    """Give each fund time to project its last state: a fund never completes, so nothing else says
    its read model has caught up (a fund still behind after `seconds` is reported as mismatched)."""
    deadline = time.monotonic() + seconds
    pending = list(fund_ids)
    while pending and time.monotonic() < deadline:
        pending = [f for f in pending if not await _projected(temporal, engine, f)]
        if pending:
            await asyncio.sleep(0.5)


async def _projected(temporal: Client, engine: Engine, fund_id: str) -> bool:
    handle = temporal.get_workflow_handle_for(FundWorkflow.run, fund_workflow_id(fund_id))
    try:
        version = (await handle.query(FundWorkflow.snapshot)).version
    except (WorkflowQueryFailedError, RPCError):
        return False
    with Session(engine) as session:
        row = funds.get_fund(session=session, fund_id=fund_id)
        return row is not None and row.version == version


def fund_planned(snapshot: FundSnapshot) -> list[Planned]:
    return [
        Planned(m.key, BANK_KIND[m.kind], m.amount_fen, m.status.value, m.error) for m in snapshot.movements
    ]


def fund_unbalanced(snapshot: FundSnapshot, balance: Any) -> list[str]:
    """The fund's ledger against its own movements and against the bank's account."""
    ledger = snapshot.ledger
    done = [m for m in snapshot.movements if m.status.value == "done"]
    advanced = sum(m.amount_fen for m in done if m.kind is FundMovementKind.ADVANCE)
    withdrawn = sum(m.amount_fen for m in done if m.kind is FundMovementKind.WITHDRAWAL)
    pairs = [
        ("held", ledger.held_fen, balance.balance_fen),
        ("deposited", ledger.deposited_fen, balance.deposited_fen),
        ("advanced", ledger.advanced_fen, balance.paid_out_fen),
        ("withdrawn", ledger.withdrawn_fen, balance.refunded_fen),
        ("advanced by its movements", ledger.advanced_fen, advanced),
        ("withdrawn by its movements", ledger.withdrawn_fen, withdrawn),
    ]
    return [f"{name}: workflow {ours} != {theirs}" for name, ours, theirs in pairs if ours != theirs]


def fund_projection_differs(snapshot: FundSnapshot, row: dict[str, Any] | None) -> list[str]:
    ledger = snapshot.ledger
    expected = {
        "status": snapshot.status.value,
        "version": snapshot.version,
        "pledged_fen": snapshot.pledged_fen,
        "deposited_fen": ledger.deposited_fen,
        "advanced_fen": ledger.advanced_fen,
        "withdrawn_fen": ledger.withdrawn_fen,
        "owed_fen": ledger.owed_fen,
        "held_fen": ledger.held_fen,
    }
    return row_differs(expected, row)
