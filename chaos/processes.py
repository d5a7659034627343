"""The chaos run's own stack on free ports and a fresh data dir, with hands to break it.

Unlike `escrow dev`'s supervisor, which gives up when a child keeps dying, this
stack expects deaths: it SIGKILLs workers and restarts the Temporal dev server on
purpose, and starts again any worker that exits on its own (a worker started while
the server is down exits at once; it is retried until the server is back). Each
child writes to its own log file under `DATA_DIR/logs`, so the terminal keeps the
progress display.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cli.dev import (
    ChildSpec,
    free_port,
    private_stack_settings,
    settings_env,
    tcp_ready,
    temporal_spec,
    version_made_current,
)
from config.settings import Settings

RESTART_BACKOFF_SECONDS = 1.0


def chaos_settings(data_dir: Path) -> Settings:
    """Settings for a stack that shares nothing with `make run` or the tests: own dir, own ports."""
    return private_stack_settings(data_dir, temporal_task_queue="escrow-chaos", bank_timeout_seconds=5.0)


@dataclass
class _Proc:
    spec: ChildSpec
    log: Path
    proc: asyncio.subprocess.Process | None = None
    restarts: int = 0
    expected_down: bool = False  # we stopped it on purpose: the watchdog leaves it alone


@dataclass
class ChaosStack:
    settings: Settings
    workers: int = 2
    _procs: dict[str, _Proc] = field(default_factory=dict)
    _watchdog: asyncio.Task[None] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    @property
    def log_dir(self) -> Path:
        return self.settings.data_dir / "logs"

    def _specs(self) -> list[ChildSpec]:
        settings = self.settings
        env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
        escrow = [sys.executable, "-m", "cli.main"]
        temporal_port = int(settings.temporal_address.rpartition(":")[2])
        specs = [
            temporal_spec(settings.data_dir, port=temporal_port, ui_port=free_port()),
            ChildSpec("migrate", [*escrow, "migrate"], oneshot=True, env=env),
            ChildSpec(
                "bank", [*escrow, "bank"], env=env, ready_check=tcp_ready("127.0.0.1", settings.bank_port)
            ),
        ]
        made_current = version_made_current(settings)
        specs += [
            ChildSpec(f"worker-{n}", [*escrow, "worker"], env=env, ready_check=made_current)
            for n in range(self.workers)
        ]
        specs.append(
            ChildSpec("api", [*escrow, "api"], env=env, ready_check=tcp_ready("127.0.0.1", settings.api_port))
        )
        return specs

    async def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for spec in self._specs():
            entry = _Proc(spec, self.log_dir / f"{spec.name}.log")
            self._procs[spec.name] = entry
            await self._launch(entry)
            if spec.oneshot:
                assert entry.proc is not None
                if await entry.proc.wait() != 0:
                    raise RuntimeError(f"{spec.name} failed; see {entry.log}")
                del self._procs[spec.name]
            else:
                await self._wait_ready(entry)
        self._watchdog = asyncio.create_task(self._restart_dead_workers())

    async def _launch(self, entry: _Proc) -> None:
        spec = entry.spec
        with entry.log.open("ab") as log:
            entry.proc = await asyncio.create_subprocess_exec(
                *spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(spec.env) if spec.env is not None else None,
                process_group=0,  # own group: a kill reaches what the child spawned too
            )

    async def _wait_ready(self, entry: _Proc) -> None:
        check = entry.spec.ready_check
        if check is None:
            return
        deadline = time.monotonic() + entry.spec.ready_timeout
        while True:
            assert entry.proc is not None
            if entry.proc.returncode is not None:
                raise RuntimeError(f"{entry.spec.name} exited while starting; see {entry.log}")
            with contextlib.suppress(Exception):
                if await asyncio.wait_for(check(), 5.0):
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{entry.spec.name} not ready after {entry.spec.ready_timeout:g} s")
            await asyncio.sleep(0.2)

    async def _restart_dead_workers(self) -> None:
        while True:
            await asyncio.sleep(RESTART_BACKOFF_SECONDS)
            for entry in self._procs.values():
                dead = entry.proc is not None and entry.proc.returncode is not None
                if dead and entry.spec.name.startswith("worker-") and not entry.expected_down:
                    entry.restarts += 1
                    await self._launch(entry)

    async def kill_worker(self, number: int) -> int:
        """SIGKILL the worker mid-whatever, then start a new one; the killed pid."""
        entry = self._procs[f"worker-{number}"]
        assert entry.proc is not None
        pid = entry.proc.pid
        entry.expected_down = True
        _signal_group(entry.proc, signal.SIGKILL)
        await entry.proc.wait()
        await self._launch(entry)
        entry.expected_down = False
        return pid

    async def restart_temporal(self) -> float:
        """Stop the dev server (SIGTERM), start it on the same SQLite file; seconds it was down."""
        entry = self._procs["temporal"]
        assert entry.proc is not None
        began = time.monotonic()
        entry.expected_down = True
        await _stop(entry.proc)
        await self._launch(entry)
        await self._wait_ready(entry)
        entry.expected_down = False
        return time.monotonic() - began

    def restarts(self) -> dict[str, int]:
        """Restarts the watchdog made because a process exited on its own."""
        return {name: entry.restarts for name, entry in self._procs.items() if entry.restarts}

    def kill_leftovers(self) -> None:
        """SIGKILL whatever still runs: the last word after Ctrl-C, even if the event loop is gone."""
        for entry in self._procs.values():
            if entry.proc is not None and entry.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(entry.proc.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        for entry in reversed(list(self._procs.values())):
            if entry.proc is not None and entry.proc.returncode is None:
                await _stop(entry.proc)
        self._procs.clear()


async def _stop(proc: asyncio.subprocess.Process, grace: float = 10.0) -> None:
    _signal_group(proc, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        _signal_group(proc, signal.SIGKILL)
        await proc.wait()


def _signal_group(proc: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # pgid == pid: the child leads its own group
