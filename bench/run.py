"""`escrow bench`: this project's cost measured against the bare engine, on a dev server of its own.

Phases, in one run on one fresh stack (see bench/stack.py):
1. shape: one happy-path 4-stage escrow; its history gives the events per escrow and
   the bare workflow's script (bench/bare.py);
2. lifecycle throughput: rounds of escrow lifecycles and of bare lifecycles, alternated,
   the same number at the same concurrency; the ratio of their rates is the figure;
3. open drafts until 1,000 escrows are open (each has run its first tasks and waits for
   its deadline); memory of worker, server and API;
4. latency at that level under a steady offered load of escrow lifecycles, started at
   a quarter of the lifecycle rate phase 2 measured flat out (LOAD_SHARE; half was not
   sustained while other work shared the machine): a signed step
   through the API (HTTP until the update is accepted) and the owner's acceptance until
   the bank's receipt (the bank's own booking time), p50 and p99;
5. open drafts until 10,000 are open: the time it takes, memory again, and how the
   per-escrow memory and opening rate move from 1,000 to 10,000.
The exit code is 1 when anything failed (errors are counted, not hidden); targets
missed are shown in the table, not turned into an exit code, because the figures
depend on the machine and on what else runs on it.
"""

import asyncio
import contextlib
import math
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.bare import script_from_history
from bench.drivers import Bench, Recorder, offered_load, run_many
from bench.stack import bench_settings, cpu_seconds, rss_mb, running_stack
from sandbox_bank.client import BankClient
from workflows.connection import connect_temporal
from workflows.escrow_types import escrow_workflow_id
from workflows.runs import run_histories

console = Console()
LOAD_SHARE = 0.25  # of the flat-out escrow rate, offered during the latency phase
UNSETTLED = "EscrowStatus IS NULL"
DRAIN_SECONDS = 900.0
OPEN_ESCROWS = "WorkflowType='EscrowWorkflow' AND ExecutionStatus='Running'"
MEASURED = ("temporal", "worker", "api")


@dataclass(frozen=True)
class Plan:
    rounds: int  # alternations of escrow and bare batches
    batch: int  # lifecycles per batch
    concurrency: int  # lifecycles in flight during a batch
    open_small: int  # the "1,000 open escrows" level
    open_large: int  # the "10,000 open escrows" level
    load_seconds: float
    open_concurrency: int = 16


FULL = Plan(rounds=5, batch=12, concurrency=8, open_small=1_000, open_large=10_000, load_seconds=120)
QUICK = Plan(rounds=2, batch=3, concurrency=3, open_small=60, open_large=200, load_seconds=15)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank; 0 for no samples."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Run:
    def __init__(self, plan: Plan, bench: Bench, pids: dict[str, int], profile_dir: Path | None) -> None:
        self.plan = plan
        self.profile_dir = profile_dir
        self.bench = bench
        self.pids = pids
        self.rec = Recorder()
        self.figures: dict[str, float] = {}
        self.rows: list[tuple[str, str, str]] = []

    def row(self, what: str, value: str, note: str = "") -> None:
        self.rows.append((what, value, note))

    def rss(self) -> dict[str, float]:
        return {name: rss_mb(self.pids[name]) for name in MEASURED}

    async def open_escrows(self) -> int:
        return (await self.bench.temporal.count_workflows(OPEN_ESCROWS)).count

    async def shape(self) -> None:
        escrow_id = await self.bench.escrow_lifecycle(Recorder())
        # the contract's run and the warranty's it continues as new into: one life, one script
        runs = await run_histories(self.bench.temporal, escrow_workflow_id(escrow_id))
        events = [event for run in runs for event in run.events]
        self.bench.script = script = script_from_history(events)
        segments = script.segments
        self.figures["events_per_escrow"] = len(events)
        self.row(
            "history events per 4-stage escrow",
            str(len(events)),
            "happy path, to the last receipt; by run: " + " + ".join(str(len(run.events)) for run in runs),
        )
        self.row(
            "  updates / activities / timers",
            f"{script.updates} / {sum(s.activities for s in segments)} / {sum(s.timers for s in segments)}",
            "the bare workflow's script",
        )

    async def throughput(self, progress: Progress) -> None:
        async with profiled(self.profile_dir, {n: self.pids[n] for n in ("worker", "api", "bank")}):
            await self._throughput(progress)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of every child, and of this process (the parties' side)."""
        return {
            **{name: cpu_seconds(pid) for name, pid in self.pids.items()},
            "bench client": time.process_time(),
        }

    async def _throughput(self, progress: Progress) -> None:
        plan, bench = self.plan, self.bench
        jobs = {"escrow": bench.escrow_lifecycle, "bare": bench.bare_lifecycle}
        spent = dict.fromkeys(jobs, 0.0)
        cpu = {kind: dict.fromkeys(self.cpu(), 0.0) for kind in jobs}
        task = progress.add_task("lifecycles, escrow and bare alternated", total=2 * plan.rounds * plan.batch)
        errors_before, reads_before = len(self.rec.errors), self.rec.reads
        for _ in range(plan.rounds):
            for kind, job in jobs.items():
                rec = self.rec if kind == "escrow" else Recorder(errors=self.rec.errors)
                before = self.cpu()
                spent[kind] += await run_many(
                    plan.batch,
                    plan.concurrency,
                    partial(job, rec),
                    self.rec,
                    lambda: progress.advance(task),
                    f"{kind} lifecycles",
                )
                for name, used in self.cpu().items():
                    cpu[kind][name] += used - before[name]
        done = plan.rounds * plan.batch
        rates = {kind: done / seconds for kind, seconds in spent.items()}
        self.figures["escrow_rate"] = rates["escrow"]
        self.figures["lifecycle_ratio"] = rates["escrow"] / rates["bare"]
        how = f"{done} in {plan.rounds} rounds, {plan.concurrency} at a time"
        self.row("escrow lifecycles per second", f"{rates['escrow']:.2f}", how)
        self.row("bare lifecycles per second", f"{rates['bare']:.2f}", "same rounds, alternated")
        reads = (self.rec.reads - reads_before) / done
        self.row("  escrow reads per lifecycle", f"{reads:.1f}", "workflow queries while the client waits")
        errors = len(self.rec.errors) - errors_before
        self.row(
            "lifecycle_ratio", f"{self.figures['lifecycle_ratio']:.2f}", f"errors in this phase: {errors}"
        )
        for name in cpu["escrow"]:
            escrow_ms, bare_ms = (cpu[kind][name] * 1000 / done for kind in jobs)
            self.row(f"  CPU ms per lifecycle: {name}", f"{escrow_ms:.0f} / {bare_ms:.0f}", "escrow / bare")
        escrow_ms, bare_ms = (sum(cpu[kind].values()) * 1000 / done for kind in jobs)
        self.row(
            "  CPU ms per lifecycle: all",
            f"{escrow_ms:.0f} / {bare_ms:.0f}",
            f"bare / escrow = {bare_ms / escrow_ms:.2f}: the ratio once CPU is the only limit",
        )
        self.rec.step_ms.clear()  # latency is measured under the steady load, not flat out
        self.rec.release_ms.clear()

    async def open_until(self, target: int, progress: Progress) -> tuple[int, float]:
        """Draft escrows until `target` are open; how many were drafted and how long it took.

        The count comes from Temporal's visibility store, which may lag a little behind:
        wait for it to settle before drafting more, so the level is not overshot.
        """
        task = progress.add_task(f"opening escrows up to {target:,}", total=None)
        drafted, seconds = 0, 0.0
        while (missing := target - await self.settled_count(target)) > 0:
            progress.update(task, total=drafted + missing)
            seconds += await run_many(
                missing,
                self.plan.open_concurrency,
                self.bench.draft,
                self.rec,
                lambda: progress.advance(task),
                "opening",
            )
            drafted += missing
        seconds += await self.drained()
        return drafted, seconds

    async def drained(self) -> float:
        """Wait until every open escrow has run its first workflow task and activities.

        The API answers once a workflow is started; its first tasks (open the bank
        account, set its status) may still be queued. Measuring latency on top of that
        backlog measured the backlog, so "open" means: status set, waiting for its deadline.
        """
        started = time.perf_counter()
        while time.perf_counter() - started < DRAIN_SECONDS:
            waiting = (await self.bench.temporal.count_workflows(f"{OPEN_ESCROWS} AND {UNSETTLED}")).count
            if waiting == 0:
                break
            await asyncio.sleep(1.0)
        return time.perf_counter() - started

    async def settled_count(self, target: int) -> int:
        """The open count once it reaches `target` or stops moving for a second."""
        last = -1
        while (count := await self.open_escrows()) < target and count != last:
            last = count
            await asyncio.sleep(1.0)
        return count

    async def steady_load(self) -> None:
        rate = max(0.05, self.figures["escrow_rate"] * LOAD_SHARE)
        rec = Recorder(errors=self.rec.errors)
        started = await offered_load(
            rate, self.plan.load_seconds, lambda: self.bench.escrow_lifecycle(rec), rec
        )
        for name, values in (("step", rec.step_ms), ("release", rec.release_ms)):
            self.figures[f"{name}_p50_ms"] = percentile(values, 50)
            self.figures[f"{name}_p99_ms"] = percentile(values, 99)
        self.row(
            "offered load",
            f"{rate:.2f} lifecycles/s",
            f"{started} started over {self.plan.load_seconds:g} s, ~{rate * 14:.1f} signed steps/s",
        )
        self.row("signed step p50 / p99 (ms)",
                 f"{self.figures['step_p50_ms']:.0f} / {self.figures['step_p99_ms']:.0f}",
                 f"{len(rec.step_ms)} steps, HTTP until the update is accepted")  # fmt: skip
        self.row("release p50 / p99 (ms)",
                 f"{self.figures['release_p50_ms']:.0f} / {self.figures['release_p99_ms']:.0f}",
                 f"{len(rec.release_ms)} releases, owner's signature until the bank's receipt")  # fmt: skip

    async def execute(self) -> None:
        plan = self.plan
        with Progress(console=console, transient=True) as progress:
            base = self.rss()
            await self.shape()
            await self.throughput(progress)
            drafted, seconds = await self.open_until(plan.open_small, progress)
            small_open, small_rss = await self.open_escrows(), self.rss()
            self.row(f"opening to {plan.open_small:,} open escrows", f"{seconds:.0f} s",
                     f"{drafted} drafts, {drafted / max(seconds, 1e-9):.1f}/s")  # fmt: skip
            await self.steady_load()
            drafted, seconds = await self.open_until(plan.open_large, progress)
            large_open, large_rss = await self.open_escrows(), self.rss()
            self.row(f"opening to {plan.open_large:,} open escrows", f"{seconds:.0f} s",
                     f"{drafted} drafts, {drafted / max(seconds, 1e-9):.1f}/s")  # fmt: skip
        self.figures["open_large"] = large_open
        for name in MEASURED:
            self.row(f"RSS {name} (MB) at 0 / {small_open:,} / {large_open:,} open",
                     f"{base[name]:.0f} / {small_rss[name]:.0f} / {large_rss[name]:.0f}")  # fmt: skip
        per_small = sum(small_rss[n] - base[n] for n in MEASURED) * 1024 / small_open
        per_large = (
            sum(large_rss[n] - small_rss[n] for n in MEASURED) * 1024 / max(1, large_open - small_open)
        )
        self.figures.update(per_escrow_kb_small=per_small, per_escrow_kb_large=per_large)
        growth = f"{per_small:.1f} -> {per_large:.1f}"
        self.row("memory per open escrow (KB), all three", growth, f"first {small_open:,}, then the rest")
        self.figures["rss_worker_mb_10k"] = large_rss["worker"]
        self.figures["rss_server_mb_10k"] = large_rss["temporal"]
        self.figures["errors"] = len(self.rec.errors)
        kinds = Counter(error.split(": ", 2)[0] + ": " + error.split(": ", 2)[1] for error in self.rec.errors)
        self.row("errors", str(len(self.rec.errors)), "; ".join(f"{k} x{n}" for k, n in kinds.most_common()))
        for error in sorted(set(self.rec.errors))[:3]:
            self.row("  e.g.", "", error[:300])


def targets(f: dict[str, float], plan: Plan) -> list[tuple[str, bool]]:
    return [
        (f"lifecycle_ratio >= 0.8 ({f['lifecycle_ratio']:.2f})", f["lifecycle_ratio"] >= 0.8),
        (f"step p99 <= 500 ms ({f['step_p99_ms']:.0f})", f["step_p99_ms"] <= 500),
        (f"release p99 <= 2000 ms ({f['release_p99_ms']:.0f})", f["release_p99_ms"] <= 2000),
        (
            f"{plan.open_large:,} open without errors ({f['open_large']:.0f} open, {f['errors']:.0f} errors)",
            f["errors"] == 0 and f["open_large"] >= plan.open_large,
        ),  # fmt: skip
        # growth beyond a quarter, on a shared machine, is growth; less is noise
        (
            f"memory per escrow does not grow "
            f"({f['per_escrow_kb_small']:.1f} -> {f['per_escrow_kb_large']:.1f} KB)",
            f["per_escrow_kb_large"] <= 1.25 * f["per_escrow_kb_small"],
        ),  # fmt: skip
    ]


def summary_line(f: dict[str, float]) -> str:
    return (
        f"bench: lifecycle_ratio={f['lifecycle_ratio']:.2f} events_per_escrow={f['events_per_escrow']:.0f} "
        f"step_p50_ms={f['step_p50_ms']:.0f} step_p99_ms={f['step_p99_ms']:.0f} "
        f"release_p99_ms={f['release_p99_ms']:.0f} rss_worker_mb_10k={f['rss_worker_mb_10k']:.0f} "
        f"rss_server_mb_10k={f['rss_server_mb_10k']:.0f}"
    )


@contextlib.asynccontextmanager
async def profiled(profile_dir: Path | None, pids: dict[str, int]) -> AsyncIterator[None]:
    """py-spy samples these processes while the block runs; collapsed stacks go to profile_dir."""
    if profile_dir is None:
        yield
        return
    profile_dir.mkdir(parents=True, exist_ok=True)
    spies = [
        await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "50",
            "--nonblocking",
            "--output",
            str(profile_dir / f"{name}.txt"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for name, pid in pids.items()
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        await asyncio.gather(*(spy.wait() for spy in spies))
        console.print(f"bench: py-spy profiles (collapsed stacks) in {profile_dir}")


async def bench_run(plan: Plan, data_dir: Path, profile_dir: Path | None = None) -> int:
    settings = bench_settings(data_dir)
    started = time.perf_counter()
    console.print(f"bench: starting a fresh stack in {data_dir}")
    async with (
        running_stack(settings) as sup,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=60) as http,
        BankClient(settings.bank_url, 30.0) as bank,
    ):
        temporal = await connect_temporal(settings)
        run = Run(
            plan,
            await Bench.register(http, bank, temporal, settings.council_enrolment_secret.get_secret_value()),
            sup.pids(),
            profile_dir,
        )
        await run.execute()
    table = Table(
        title=f"escrow bench ({'quick' if plan is QUICK else 'full'}, {time.perf_counter() - started:.0f} s)"
    )
    for column in ("measure", "value", "how"):
        table.add_column(column)
    for row in run.rows:
        table.add_row(*row)
    Console(width=max(console.width, 110)).print(table)  # a row per line in a log too (rich assumes 80)
    for text, met in targets(run.figures, plan):
        console.print(f"  [{'green' if met else 'red'}]{'met ' if met else 'MISSED'}[/] {text}")
    print(summary_line(run.figures), flush=True)
    return 1 if run.figures["errors"] else 0


def run_bench(*, quick: bool = False, keep: bool = False, profile_dir: Path | None = None) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="escrow-bench-"))
    try:
        return asyncio.run(bench_run(QUICK if quick else FULL, data_dir, profile_dir))
    finally:
        if keep:
            console.print(f"bench: data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
