"""A fresh stack for one benchmark run: dev server, bank, escrow worker, API and the bare worker.

The Temporal dev server keeps its state in memory: a fresh server per run, and the
figures are not bounded by one SQLite file's write lock (the escrow and the bare
workflow share whatever the server costs, so the ratio holds either way). Every
child's output goes to `bench.log` in the run's data directory, not to the table.
"""

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from cli.dev import (
    ChildSpec,
    Supervisor,
    build_specs,
    free_port,
    private_stack_settings,
    settings_env,
    temporal_spec,
)
from config.settings import Settings


def bench_settings(data_dir: Path) -> Settings:
    return private_stack_settings(
        data_dir, council_enrolment_secret="bench-council-secret", worker_metrics_port=0, api_metrics_port=0
    )


def bench_specs(settings: Settings) -> list[ChildSpec]:
    """`escrow dev`'s children with an in-memory server, plus the bare engine's worker."""
    specs = build_specs(settings)
    _, _, port = settings.temporal_address.rpartition(":")
    specs[0] = temporal_spec(settings.data_dir, port=int(port), ui_port=free_port(), in_memory=True)
    env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    specs.append(ChildSpec("bare-worker", [sys.executable, "-m", "bench.bare_worker"], env=env))
    return specs


@contextlib.asynccontextmanager
async def running_stack(settings: Settings) -> AsyncIterator[Supervisor]:
    """Yields once every child is up; stops them all on the way out.

    Should the run fail, the end of `bench.log` is printed: a child that died (say, its
    free port was taken by another process in the meantime) says why there.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "bench.log"
    with open(log_path, "w") as log:
        # restart=None: a child that dies ends the run; a restarted one would skew the figures
        sup = Supervisor(bench_specs(settings), out=log, color=False, handle_signals=False, restart=None)
        task = asyncio.create_task(sup.run())
        ready = asyncio.create_task(sup.ready.wait())
        await asyncio.wait([task, ready], timeout=180, return_when=asyncio.FIRST_COMPLETED)
        try:
            if not sup.ready.is_set():
                ready.cancel()
                raise RuntimeError("the bench stack did not start")
            yield sup
        except BaseException:
            log.flush()
            print("".join(log_path.read_text().splitlines(keepends=True)[-30:]), file=sys.stderr)
            raise
        finally:
            sup.request_stop()
            await task


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
