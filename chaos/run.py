"""One chaos run: start a private stack, drive the escrows while breaking it, then reconcile.

The run ends with a summary table, the problem escrows (only those), and a last
line of the exact form `chaos: escrows=N completed=N double_payouts=0 ...`; the exit
status is 0 only when every escrow completed and every count after `completed` is 0.
"""

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Replayer

from chaos.driver import LIFE, ChaosEscrow, DriveStats, drive_all
from chaos.fund_checks import reconcile_fund, wait_until_projected
from chaos.funds import FUND_LIFE, ChaosFund, drive_funds
from chaos.processes import ChaosStack, chaos_settings
from chaos.reconcile import (
    CHECKS,
    EscrowFindings,
    Reconciliation,
    reconcile,
    stray_escrows,
    wait_until_closed,
)
from chaos.schedule import BankFaults, EventKind, FaultSchedule, build_schedule
from client.party import Party
from config.settings import Settings
from sandbox_bank.client import BankClient
from workflows.connection import connect_temporal
from workflows.fund import FundWorkflow

SETTLE_SECONDS = 120.0  # after the drive, for workflows still finishing their last activities
PROBLEM_ROWS = 20
PLAIN_PROGRESS_SECONDS = 15.0  # problem escrows listed in full; the rest are counted


@dataclass(frozen=True)
class ChaosOptions:
    escrows: int = 200
    funds: int = 20  # compensation funds, kept by the first escrows' contractors (chaos/funds.py)
    duration_seconds: float = 60.0
    worker_kills: int = 3
    server_restarts: int = 2
    workers: int = 2
    seed: int = 2026
    bank: BankFaults = field(default_factory=BankFaults)
    patience_seconds: float = 600.0  # per call or wait; a machine shared with others can be very slow
    stagger_seconds: float = 0.05
    data_dir: Path | None = None  # None: a fresh temporary directory, removed afterwards


def run_chaos(options: ChaosOptions, console: Console | None = None) -> int:
    console = console or Console()
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="escrow-chaos-"))
    try:
        stack = ChaosStack(chaos_settings(data_dir), workers=options.workers)
        try:
            return asyncio.run(_run(options, stack, console))
        finally:
            stack.kill_leftovers()
    finally:
        if options.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


async def _run(options: ChaosOptions, stack: ChaosStack, console: Console) -> int:
    schedule = build_schedule(
        seed=options.seed,
        duration_seconds=options.duration_seconds,
        worker_kills=options.worker_kills,
        server_restarts=options.server_restarts,
        workers=options.workers,
        bank=options.bank,
    )
    settings = stack.settings
    console.print(f"chaos: starting a private stack in {settings.data_dir} (logs in {stack.log_dir})")
    began = time.monotonic()
    try:
        await stack.start()
        temporal = await connect_temporal(settings)
        async with (
            httpx.AsyncClient(base_url=stack.api_url, timeout=120) as http,
            BankClient.from_settings(settings) as bank,
        ):
            stats = DriveStats()
            escrows = await _parties(
                options, settings.council_enrolment_secret.get_secret_value(), http, bank, stats
            )
            funds = [ChaosFund(escrow, temporal) for escrow in escrows[: options.funds]]
            console.print(_schedule_table(schedule))
            faults = schedule.bank
            await bank.set_faults(
                error_rate=faults.error_rate,
                latency_ms=faults.latency_ms,
                drop_after_commit_rate=faults.drop_after_commit_rate,
                seed=schedule.seed,
            )
            ids, fund_ids, events = await _drive_under_chaos(
                options, schedule, stack, escrows, funds, temporal, stats, console
            )
            await bank.set_faults()
            console.print(f"chaos: drive over after {time.monotonic() - began:.0f} s; reconciling")
            await wait_until_closed(temporal, ids, SETTLE_SECONDS)
            engine = _engine(settings)
            result = await reconcile(ids, temporal=temporal, bank=bank, engine=engine, keep_dir=stack.log_dir)
            await wait_until_projected(temporal, engine, fund_ids, SETTLE_SECONDS)
            replayer = Replayer(workflows=[FundWorkflow])
            result.funds = [
                await reconcile_fund(
                    f, temporal=temporal, bank=bank, engine=engine, replayer=replayer, keep_dir=stack.log_dir
                )
                for f in fund_ids
            ]
            strays = stray_escrows(engine, ids)
    finally:
        await stack.stop()
    result.escrows += [
        _never_created(slot, why) for slot, why in stats.failures.items() if slot.startswith("slot-")
    ]
    _report(console, result, stats, events, stack.restarts(), strays, time.monotonic() - began)
    print(result.last_line(), flush=True)
    whole = len(result.escrows) == options.escrows and len(result.funds) == len(funds)
    return 0 if result.ok and whole else 1


async def _parties(
    options: ChaosOptions, council_secret: str, http: httpx.AsyncClient, bank: BankClient, stats: DriveStats
) -> list[ChaosEscrow]:
    """Every party registers before the storm: registration touches only the API's database."""
    council = await Party(http, "council", "Guilin Consumer Council").register(
        enrolment_secret=council_secret
    )
    escrows = [
        ChaosEscrow(http, bank, council, stats, options.patience_seconds) for _ in range(options.escrows)
    ]
    for escrow in escrows:
        await escrow.register()
    return escrows


async def _drive_under_chaos(
    options: ChaosOptions,
    schedule: FaultSchedule,
    stack: ChaosStack,
    escrows: list[ChaosEscrow],
    funds: list[ChaosFund],
    temporal: Client,
    stats: DriveStats,
    console: Console,
) -> tuple[list[str], list[str], list[tuple[float, str]]]:
    events: list[tuple[float, str]] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("escrows closed", total=len(escrows), detail="")
        started = time.monotonic()

        def say(text: str) -> None:
            at = time.monotonic() - started
            events.append((at, text))
            progress.console.print(f"[dim]{at:6.1f}s[/dim] {text}")

        drive = asyncio.create_task(
            drive_all(escrows, temporal, stats, stagger_seconds=options.stagger_seconds)
        )
        fund_drive = asyncio.create_task(drive_funds(funds, stats))
        chaos = asyncio.create_task(_play(schedule, stack, started, say))
        last_line = started
        reported = 0  # drive failures already shown
        try:
            while not (drive.done() and fund_drive.done() and chaos.done()):
                await asyncio.wait([drive, fund_drive, chaos], timeout=1.0)
                progress.update(task, completed=stats.milestones["closed"], detail=_detail(stats))
                for escrow_id in list(stats.failures)[reported:]:
                    say(f"[red]drive of {escrow_id} stopped: {stats.failures[escrow_id]}[/red]")
                reported = len(stats.failures)
                if not console.is_terminal and time.monotonic() - last_line >= PLAIN_PROGRESS_SECONDS:
                    last_line = time.monotonic()  # no live bar in a log file: a line now and then instead
                    say(f"closed {stats.milestones['closed']}/{len(escrows)}; {_detail(stats)}")
        finally:  # Ctrl-C: stop driving and breaking before the stack is stopped
            for running in (drive, fund_drive, chaos):
                running.cancel()
        chaos.result()
        return drive.result(), fund_drive.result(), events


def _detail(stats: DriveStats) -> str:
    names = (*LIFE[:-1], *FUND_LIFE)
    reached = " ".join(f"{name}:{stats.milestones[name]}" for name in names if stats.milestones[name])
    return f"{reached}  retries:{stats.retries} failed:{len(stats.failures)}"


async def _play(
    schedule: FaultSchedule, stack: ChaosStack, started: float, say: Callable[[str], None]
) -> None:
    for event in schedule.events:
        await asyncio.sleep(max(0.0, started + event.at_seconds - time.monotonic()))
        if event.kind is EventKind.KILL_WORKER:
            pid = await stack.kill_worker(event.worker)
            say(f"killed worker-{event.worker} (pid {pid}) with SIGKILL; started a new one")
        else:
            say("stopping the Temporal dev server")
            down = await stack.restart_temporal()
            say(f"Temporal dev server back on the same SQLite file after {down:.1f} s")


def _engine(settings: Settings) -> Engine:
    from db.engine import make_engine

    return make_engine(settings.app_database_url())


def _never_created(slot: str, why: str) -> EscrowFindings:
    found = EscrowFindings(slot, phase="never created")
    found.problems["missing_payouts"].append(why)
    return found


def _schedule_table(schedule: FaultSchedule) -> Table:
    faults = schedule.bank
    table = Table(
        title=f"fault schedule (seed {schedule.seed}); bank: {faults.error_rate:.0%} 503s, "
        f"{faults.latency_ms} ms latency, {faults.drop_after_commit_rate:.0%} dropped after commit"
    )
    table.add_column("at", justify="right")
    table.add_column("fault")
    for event in schedule.events:
        table.add_row(f"{event.at_seconds:.1f}s", event.describe())
    return table


def _report(
    console: Console,
    result: Reconciliation,
    stats: DriveStats,
    events: list[tuple[float, str]],
    self_restarts: dict[str, int],
    strays: list[str],
    seconds: float,
) -> None:
    summary = Table(title=f"chaos run: {len(result.escrows)} escrows in {seconds:.0f} s")
    summary.add_column("")
    summary.add_column("count", justify="right")
    for phase, n in sorted(result.phases().items()):
        summary.add_row(f"escrows in phase {phase}", str(n))
    summary.add_row("completed (workflow completed, closed)", str(result.completed))
    summary.add_row("compensation funds", str(len(result.funds)))
    summary.add_row(
        "funds completed (advance paid once, repaid)", str(sum(f.completed for f in result.funds))
    )
    for check in CHECKS:
        summary.add_row(check.replace("_", " "), str(result.count(check)))
    summary.add_row("requests retried while the stack was down", str(stats.retries))
    summary.add_row("re-sent steps recognised as already applied", str(stats.recognised_landed))
    summary.add_row("escrows reset past a task the server kept failing", str(stats.resets))
    kills = sum(1 for _, text in events if text.startswith("killed"))
    restarts = sum(1 for _, text in events if text.startswith("Temporal dev server back"))
    summary.add_row("workers killed (SIGKILL)", str(kills))
    summary.add_row("Temporal dev server restarts", str(restarts))
    for name, n in sorted(self_restarts.items()):
        summary.add_row(f"{name} restarted after exiting on its own", str(n))
    summary.add_row("drafts left behind by a create asked again", str(len(strays)))
    console.print(summary)
    problems = [e for e in [*result.escrows, *result.funds] if not e.clean]
    if not problems:
        return
    table = Table(
        title=f"problem escrows and funds ({len(problems)}; first {min(len(problems), PROBLEM_ROWS)} shown)"
    )
    table.add_column("escrow or fund")
    table.add_column("phase")
    table.add_column("what is wrong")
    for escrow in problems[:PROBLEM_ROWS]:
        reasons = [f"{check}: {why}" for check, whys in escrow.problems.items() for why in whys]
        if not escrow.completed:
            reasons.insert(0, "not completed: " + stats.failures.get(escrow.escrow_id, "its drive ended"))
        table.add_row(escrow.escrow_id, escrow.phase, "\n".join(reasons))
    console.print(table)
