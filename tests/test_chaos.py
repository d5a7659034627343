"""`escrow chaos` in small: 20 escrows and 2 compensation funds, a worker SIGKILLed, Temporal
restarted, bank faults.

The run is a real subprocess with its own private stack (Temporal dev server on its own
SQLite file, bank, two workers, API on free ports), exactly what an operator runs; the
reconciler's verdicts are checked here on hand-made disagreements, so a reconciler that
could never find a problem would fail these tests.
"""

import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path
from types import SimpleNamespace

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from chaos.fund_checks import fund_planned, fund_projection_differs, fund_unbalanced
from chaos.reconcile import (
    double_payouts,
    mismatched_projection,
    missing_payouts,
    planned_not_booked,
    planned_paid_twice,
    unbalanced,
    unreplayable,
)
from chaos.schedule import BankFaults, EventKind, build_schedule
from domain.escrow.snapshot import EscrowSnapshot, LedgerSnapshot
from domain.escrow.state import Movement, MovementKind, MovementReason, MovementStatus, Phase
from tests.conftest import RELEASE_HISTORIES
from tests.kits.escrow_versions import BankFirstEscrowWorkflow
from tests.kits.fund_kit import FundKit
from tests.kits.machine_kit import Kit
from workflows.case import CaseWorkflow
from workflows.escrow import EscrowWorkflow

ROOT = Path(__file__).resolve().parents[1]
ALL_CLEAR = (
    "chaos: escrows=20 completed=20 funds=2 funds_completed=2 double_payouts=0 missing_payouts=0"
    " unbalanced=0 mismatched_projections=0 unreplayable_histories=0"
)


def test_a_small_chaos_run_ends_with_every_escrow_closed_and_reconciled(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "cli.main", "chaos", "--escrows", "20", "--funds", "2", "--duration", "20"]
    argv += ["--worker-kills", "1", "--server-restarts", "1", "--seed", "7", "--data-dir", str(tmp_path)]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = run.stdout
    assert out.strip().splitlines()[-1] == ALL_CLEAR, out[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0
    assert "Temporal dev server back on the same SQLite file" in out
    assert "with SIGKILL; started a new one" in out
    assert (tmp_path / "temporal.db").is_file()


def schedule(seed: int):
    return build_schedule(
        seed=seed, duration_seconds=60, worker_kills=3, server_restarts=2, workers=2, bank=BankFaults()
    )


def test_the_same_seed_gives_the_same_fault_schedule() -> None:
    assert schedule(11) == schedule(11)
    assert schedule(11).events != schedule(12).events
    kinds = [event.kind for event in schedule(11).events]
    assert kinds.count(EventKind.RESTART_TEMPORAL) == 2
    assert kinds.count(EventKind.KILL_WORKER) == 3
    restarts = [e.at_seconds for e in schedule(11).events if e.kind is EventKind.RESTART_TEMPORAL]
    assert restarts[1] - restarts[0] >= 6  # two separate outages, not one


def entry(key: str, kind: str, amount: int):
    return SimpleNamespace(idempotency_key=key, kind=kind, amount_fen=amount)


def closed_snapshot() -> EscrowSnapshot:
    def paid(key: str, amount_fen: int) -> Movement:
        why = MovementReason.ACCEPTED
        return Movement(key, MovementKind.PAYOUT, amount_fen, why, status=MovementStatus.DONE)

    snapshot = replace(
        Kit(stages=(600,), retention=400, escrow_id="E").m.snapshot(),
        phase=Phase.CLOSED,
        version=9,
        ledger=LedgerSnapshot(
            deposited_fen=1000,
            released_fen=1000,
            refunded_fen=0,
            held_fen=0,
            pending_fen=0,
            obligations_fen=0,
        ),
        movements=[paid("E:stage-1:release", 600), paid("E:retention:release", 400)],
    )
    snapshot.stages[0].open_fen = snapshot.retention.open_fen = 0
    return snapshot


def bank_statement() -> list:
    return [
        entry("E:deposit-1", "deposit", 1000),
        entry("E:stage-1:release", "payout", 600),
        entry("E:retention:release", "payout", 400),
    ]


def test_the_reconciler_passes_an_escrow_where_all_three_agree() -> None:
    snapshot = closed_snapshot()
    balance = SimpleNamespace(balance_fen=0, deposited_fen=1000, paid_out_fen=1000, refunded_fen=0)
    row = {
        "status": "closed",
        "version": 9,
        **{k: v for k, v in asdict(snapshot.ledger).items() if k != "pending_fen"},
    }
    assert double_payouts(snapshot, bank_statement()) == []
    assert missing_payouts(snapshot, bank_statement()) == []
    assert unbalanced(snapshot, balance) == []
    assert mismatched_projection(snapshot, row) == []


def test_the_reconciler_finds_a_key_paid_twice_and_a_payment_never_planned() -> None:
    statement = [*bank_statement(), entry("E:stage-1:release", "payout", 600), entry("E:extra", "payout", 5)]
    problems = double_payouts(closed_snapshot(), statement)
    assert any("booked E:stage-1:release 2 times" in p for p in problems)
    assert any("E:extra, which the workflow never planned" in p for p in problems)


def test_the_reconciler_finds_a_payout_the_bank_never_booked_and_a_stuck_one() -> None:
    snapshot = closed_snapshot()
    snapshot.movements.append(Movement("E:stage-2:release", MovementKind.PAYOUT, 1, MovementReason.ACCEPTED))
    problems = missing_payouts(snapshot, bank_statement()[:2])
    assert "E:retention:release done in the workflow, never booked by the bank" in problems
    assert "E:stage-2:release still pending" in problems


def test_the_reconciler_finds_a_bank_balance_and_a_read_model_that_disagree() -> None:
    snapshot = closed_snapshot()
    balance = SimpleNamespace(balance_fen=400, deposited_fen=1000, paid_out_fen=600, refunded_fen=0)
    assert unbalanced(snapshot, balance) == [
        "the bank holds 400 fen for the escrow, its parts 0: {'stage-1': 0, 'retention': 0}",
        "held: workflow 0 != bank 400",
        "released: workflow 1000 != bank 600",
    ]
    stale = {"status": "warranty", "version": 8, "deposited_fen": 1000, "released_fen": 600}
    stale |= {"refunded_fen": 0, "held_fen": 400}
    assert len(mismatched_projection(snapshot, stale)) == 4
    assert mismatched_projection(snapshot, None) == ["no read-model row"]


async def test_a_history_that_does_not_replay_on_the_code_is_reported() -> None:
    """A recorded escrow replays on today's code and not on a changed order made without a patch."""
    path = RELEASE_HISTORIES / "escrow_full_lifecycle.json"
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    assert await unreplayable(history, Replayer(workflows=[EscrowWorkflow, CaseWorkflow])) == []
    (problem,) = await unreplayable(history, Replayer(workflows=[BankFirstEscrowWorkflow]))
    assert problem.startswith("does not replay: ")


def advanced_fund():
    """A fund that took 1,000,000, paid 300,000 in advance (done) and holds the rest."""
    kit = FundKit()
    kit.deposit(1_000_000)
    claim = kit.claim(decided=300_000)
    kit.step("council", "fund.advance", kit.advance(claim, 300_000))
    kit.settle()
    return kit.m.snapshot()


def test_the_reconciler_passes_a_fund_whose_bank_account_and_read_model_agree() -> None:
    fund = advanced_fund()
    [advance] = fund.movements
    statement = [
        entry(f"{fund.fund_id}:deposit-1", "deposit", 1_000_000),
        entry(advance.key, "payout", 300_000),
    ]
    balance = SimpleNamespace(
        balance_fen=700_000, deposited_fen=1_000_000, paid_out_fen=300_000, refunded_fen=0
    )
    row = {"status": fund.status.value, "version": fund.version, "pledged_fen": 0, "deposited_fen": 1_000_000}
    row |= {"advanced_fen": 300_000, "withdrawn_fen": 0, "owed_fen": 300_000, "held_fen": 700_000}
    assert planned_paid_twice(fund_planned(fund), statement) == []
    assert planned_not_booked(fund_planned(fund), statement) == []
    assert fund_unbalanced(fund, balance) == []
    assert fund_projection_differs(fund, row) == []


def test_the_reconciler_finds_an_advance_paid_twice_or_never_and_a_fund_the_bank_disagrees_with() -> None:
    fund = advanced_fund()
    [advance] = fund.movements
    twice = [entry(advance.key, "payout", 300_000), entry(advance.key, "payout", 300_000)]
    assert f"the bank booked {advance.key} 2 times" in planned_paid_twice(fund_planned(fund), twice)
    as_refund = planned_paid_twice(fund_planned(fund), [entry(advance.key, "refund", 300_000)])
    assert as_refund and "bank refund 300000" in as_refund[0]
    never = planned_not_booked(fund_planned(fund), [])
    assert never == [f"{advance.key} done in the workflow, never booked by the bank"]
    balance = SimpleNamespace(balance_fen=1_000_000, deposited_fen=1_000_000, paid_out_fen=0, refunded_fen=0)
    assert fund_unbalanced(fund, balance) == [
        "held: workflow 700000 != 1000000",
        "advanced: workflow 300000 != 0",
    ]
    stale = {
        "status": fund.status.value,
        "version": fund.version - 1,
        "pledged_fen": 0,
        "deposited_fen": 1_000_000,
    }
    stale |= {"advanced_fen": 0, "withdrawn_fen": 0, "owed_fen": 0, "held_fen": 1_000_000}
    assert len(fund_projection_differs(fund, stale)) == 4
    assert fund_projection_differs(fund, None) == ["no read-model row"]
