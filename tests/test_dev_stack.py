"""The `escrow dev` supervisor, with stand-in children and with the real Temporal dev server."""

from __future__ import annotations

import asyncio
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus

from cli.dev import ChildSpec, RestartPolicy, Supervisor, build_specs, free_port, run_dev, temporal_spec
from config.settings import Settings
from tests.kits.servers import free_port_with

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

# A long-running stand-in service: says hello on stdout and stderr, reports whether it
# leads its own process group, optionally writes a marker file (its ready signal), and
# says goodbye on SIGTERM. argv: name [marker-file] [ignore-sigterm]
SERVICE = """
import os, pathlib, signal, sys
name = sys.argv[1]
def bye(signum, frame):
    print(f"{name} got SIGTERM", flush=True)
    sys.exit(0)
ignore = len(sys.argv) > 3 and sys.argv[3] == "ignore"
signal.signal(signal.SIGTERM, signal.SIG_IGN if ignore else bye)
print(f"{name} up, own group: {os.getpgrp() == os.getpid()}", flush=True)
print(f"{name} complains", file=sys.stderr, flush=True)
if len(sys.argv) > 2 and sys.argv[2]:
    pathlib.Path(sys.argv[2]).write_text(str(os.getpid()))
while True:
    signal.pause()
"""


def service(name: str, marker: Path | None = None, *, ignore_sigterm: bool = False) -> list[str]:
    return [PY, "-c", SERVICE, name, str(marker or ""), "ignore" if ignore_sigterm else ""]


def oneshot(code: str) -> list[str]:
    return [PY, "-c", code]


def file_exists(path: Path):
    async def check() -> bool:
        return path.exists()

    return check


def supervisor(specs: list[ChildSpec], **kw) -> tuple[Supervisor, io.StringIO]:
    out = io.StringIO()
    kw = {"color": False, "handle_signals": False, "stop_timeout": 5.0, "poll_interval": 0.05} | kw
    return Supervisor(specs, out=out, **kw), out


async def run_until_ready(sup: Supervisor, timeout: float = 30.0) -> asyncio.Task[int]:
    """Start `sup.run()` and return once every child is up (the task stays running)."""
    task = asyncio.create_task(sup.run())
    ready = asyncio.create_task(sup.ready.wait())
    done, _ = await asyncio.wait([task, ready], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    if task in done:
        pytest.fail(f"supervisor ended before ready: rc={task.result()}")
    assert ready in done, "stack not ready in time"
    return task


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# -- in-process runs ----------------------------------------------------------


async def test_prefixed_output_and_clean_stop(tmp_path: Path) -> None:
    specs = [
        ChildSpec("alpha", service("alpha", tmp_path / "a"), ready_check=file_exists(tmp_path / "a")),
        ChildSpec("migrate", oneshot("print('migrated')"), oneshot=True),
        ChildSpec("beta", service("beta", tmp_path / "b"), ready_check=file_exists(tmp_path / "b")),
    ]
    sup, out = supervisor(specs)
    task = await run_until_ready(sup)
    sup.request_stop()
    assert await asyncio.wait_for(task, 30) == 0

    lines = out.getvalue().splitlines()
    # fixed-width prefix: the longest name ("migrate") in brackets, then one space
    assert "[alpha]   alpha up, own group: True" in lines
    assert "[alpha]   alpha complains" in lines
    assert "[migrate] migrated" in lines
    assert "[beta]    beta up, own group: True" in lines
    assert "[beta]    beta complains" in lines
    # started in order; stopped in reverse order, each one gone before the next is told
    order = [
        lines.index(s)
        for s in (
            "[alpha]   alpha up, own group: True",
            "[migrate] migrated",
            "[beta]    beta up, own group: True",
        )
    ]
    assert order == sorted(order)
    assert lines.index("[beta]    beta got SIGTERM") < lines.index("[alpha]   alpha got SIGTERM")
    assert gone(int((tmp_path / "a").read_text())) and gone(int((tmp_path / "b").read_text()))


async def test_without_restarts_a_child_dying_stops_the_others_and_fails(tmp_path: Path) -> None:
    specs = [
        ChildSpec("steady", service("steady", tmp_path / "s"), ready_check=file_exists(tmp_path / "s")),
        ChildSpec("flaky", oneshot("import sys; print('flaky boom'); sys.exit(3)")),
    ]
    sup, out = supervisor(specs, restart=None)
    rc = await asyncio.wait_for(sup.run(), 30)

    text = out.getvalue()
    assert rc == 3
    assert "[flaky]  flaky boom" in text
    assert "flaky exited unexpectedly with code 3" in text
    assert "[steady] steady got SIGTERM" in text
    assert gone(int((tmp_path / "s").read_text()))


async def until(condition, what: str, timeout: float = 30.0) -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_a_killed_child_is_restarted_and_the_others_keep_running(tmp_path: Path) -> None:
    steady_marker, crashy_marker = tmp_path / "s", tmp_path / "c"
    specs = [
        ChildSpec("steady", service("steady", steady_marker), ready_check=file_exists(steady_marker)),
        ChildSpec("crashy", service("crashy", crashy_marker), ready_check=file_exists(crashy_marker)),
    ]
    sup, out = supervisor(specs, restart=RestartPolicy(first_delay=0.05))
    task = await run_until_ready(sup)
    try:
        steady, first = int(steady_marker.read_text()), int(crashy_marker.read_text())
        assert f"[dev]    started crashy (pid {first})" in out.getvalue()
        os.kill(first, signal.SIGKILL)
        # its marker is rewritten, and its greeting relayed (the output comes through a pipe: maybe later)
        await until(
            lambda: (
                crashy_marker.read_text() not in ("", str(first))
                and out.getvalue().count("crashy up, own group: True") == 2
            ),
            "crashy to come back",
        )
        again = int(crashy_marker.read_text())
        assert sup.pids() == {"steady": steady, "crashy": again}
        text = out.getvalue()
        assert (
            "[dev]    crashy exited with signal SIGKILL; restarting it in 0.05 s "
            "(death 1; 5 deaths within 120 s stop everything)" in text
        )
        assert f"[dev]    started crashy (pid {again})" in text
        assert "steady got SIGTERM" not in text and not gone(steady)

        # a second death within the window waits twice as long
        os.kill(again, signal.SIGKILL)
        await until(lambda: crashy_marker.read_text() not in ("", str(again)), "crashy to come back again")
        assert "crashy exited with signal SIGKILL; restarting it in 0.1 s (death 2;" in out.getvalue()
    finally:
        sup.request_stop()
        assert await asyncio.wait_for(task, 30) == 0
    lines = out.getvalue().splitlines()
    # the restarted child keeps its place: stopped before the one started before it
    assert lines.index("[crashy] crashy got SIGTERM") < lines.index("[steady] steady got SIGTERM")
    assert gone(steady) and gone(int(crashy_marker.read_text()))


async def test_a_child_that_keeps_dying_makes_the_supervisor_give_up(tmp_path: Path) -> None:
    specs = [
        ChildSpec("steady", service("steady", tmp_path / "s"), ready_check=file_exists(tmp_path / "s")),
        ChildSpec("flaky", oneshot("import sys; print('flaky boom'); sys.exit(3)")),
    ]
    sup, out = supervisor(specs, restart=RestartPolicy(first_delay=0.05, max_deaths=3, window=60))
    rc = await asyncio.wait_for(sup.run(), 30)

    text = out.getvalue()
    assert rc == 3
    assert text.count("[flaky]  flaky boom") == 3 and text.count("[dev]    started flaky (pid") == 3
    assert "flaky exited with code 3; restarting it in 0.05 s (death 1; 3 deaths within 60 s stop" in text
    assert "flaky exited with code 3; restarting it in 0.1 s (death 2; 3 deaths within 60 s stop" in text
    assert (
        "[dev]    flaky exited with code 3: 3 deaths within 60 s (the limit is 3 deaths within 60 s), "
        "giving up and stopping everything" in text
    )
    assert "[steady] steady got SIGTERM" in text
    assert gone(int((tmp_path / "s").read_text()))


async def test_a_stop_during_a_restart_backoff_starts_nothing_more(tmp_path: Path) -> None:
    marker = tmp_path / "c"
    specs = [ChildSpec("crashy", service("crashy", marker), ready_check=file_exists(marker))]
    sup, out = supervisor(specs, restart=RestartPolicy(first_delay=60, max_delay=60))
    task = await run_until_ready(sup)
    os.kill(int(marker.read_text()), signal.SIGKILL)
    await until(lambda: "restarting it in 60 s" in out.getvalue(), "the death to be noticed")
    sup.request_stop()
    assert await asyncio.wait_for(task, 10) == 0
    assert out.getvalue().count("started crashy") == 1


async def test_failed_oneshot_stops_startup(tmp_path: Path) -> None:
    specs = [
        ChildSpec("temporal", service("temporal", tmp_path / "t"), ready_check=file_exists(tmp_path / "t")),
        ChildSpec("migrate", oneshot("import sys; sys.exit('no such table')"), oneshot=True),
        ChildSpec("api", service("api")),
    ]
    sup, out = supervisor(specs)
    rc = await asyncio.wait_for(sup.run(), 30)

    text = out.getvalue()
    assert rc == 1
    assert "[migrate]  no such table" in text
    assert "migrate failed with exit code 1" in text
    assert "[api]" not in text  # never started
    assert "[temporal] temporal got SIGTERM" in text


async def test_child_never_ready_times_out(tmp_path: Path) -> None:
    specs = [
        ChildSpec("slow", service("slow"), ready_check=file_exists(tmp_path / "never"), ready_timeout=1.0)
    ]
    sup, out = supervisor(specs)
    rc = await asyncio.wait_for(sup.run(), 30)
    assert rc == 1
    assert "slow not ready after 1 s" in out.getvalue()
    assert "[slow] slow got SIGTERM" in out.getvalue()


async def test_child_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "m"
    specs = [ChildSpec("mule", service("mule", marker, ignore_sigterm=True), ready_check=file_exists(marker))]
    sup, out = supervisor(specs, stop_timeout=0.5)
    task = await run_until_ready(sup)
    sup.request_stop()
    assert await asyncio.wait_for(task, 30) == 0
    assert "mule still running after 0.5 s: killing it" in out.getvalue()
    assert gone(int(marker.read_text()))


async def test_long_lines_and_missing_newline_are_relayed() -> None:
    code = "import sys; sys.stdout.write('x' * 200_000 + '\\nlast words')"
    sup, out = supervisor([ChildSpec("chatty", oneshot(code), oneshot=True)])
    assert await asyncio.wait_for(sup.run(), 30) == 0  # a finished stack stops cleanly
    lines = out.getvalue().splitlines()
    body = [line.removeprefix("[chatty] ") for line in lines if line.startswith("[chatty] ")]
    assert sum(chunk.count("x") for chunk in body) == 200_000
    assert body[-1] == "last words"


async def test_missing_binary_fails_cleanly(tmp_path: Path) -> None:
    sup, out = supervisor([ChildSpec("ghost", [str(tmp_path / "no-such-program")])])
    assert await asyncio.wait_for(sup.run(), 30) == 1
    assert "cannot start ghost" in out.getvalue()


# -- signals, in a separate supervisor process -------------------------------

HARNESS = """
import asyncio, json, pathlib, sys
from cli.dev import ChildSpec, Supervisor

def file_exists(path):
    async def check():
        return pathlib.Path(path).exists()
    return check

specs = [
    ChildSpec(s["name"], s["argv"], oneshot=s.get("oneshot", False),
              ready_check=file_exists(s["ready_file"]) if s.get("ready_file") else None)
    for s in json.loads(sys.argv[1])
]
sys.exit(asyncio.run(Supervisor(specs, color=False, stop_timeout=5).run()))
"""


class SupervisorProcess:
    """A supervisor in a process of its own, its output read line by line (a `with` kills what is left)."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        """Read lines until one holds `needle`; fail after `timeout` seconds or at the end of output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if needle in line:
                return
        pytest.fail(f"{needle!r} not seen; output so far:\n" + "\n".join(self.seen))

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 60) -> None:
        """Send `sig`; the supervisor must exit 0, and all its output is read."""
        self.proc.send_signal(sig)
        assert self.proc.wait(timeout=timeout) == 0
        while (line := self._lines.get(timeout=10)) is not None:
            self.seen.append(line)

    def __enter__(self) -> SupervisorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        """A test that failed midway still stops the whole stack: each child leads its own process
        group, so killing the supervisor's group alone would leave them running (holding ports)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_everything_in_reverse_order(tmp_path: Path, sig: signal.Signals) -> None:
    specs = [
        {"name": "first", "argv": service("first", tmp_path / "1"), "ready_file": str(tmp_path / "1")},
        {"name": "setup", "argv": oneshot("print('set up')"), "oneshot": True},
        {"name": "second", "argv": service("second", tmp_path / "2"), "ready_file": str(tmp_path / "2")},
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with SupervisorProcess([PY, "-c", HARNESS, json.dumps(specs)], cwd=ROOT, env=env) as sup:
        sup.wait_for("all processes are up")
        sup.stop(sig, timeout=30)
    seen = sup.seen

    assert "[first]  first up, own group: True" in seen
    assert "[setup]  set up" in seen
    assert "[second] second complains" in seen
    assert f"[dev]    {sig.name} received: stopping" in seen
    assert seen.index("[second] second got SIGTERM") < seen.index("[first]  first got SIGTERM")
    for marker in ("1", "2"):
        assert gone(int((tmp_path / marker).read_text()))


# -- the real stack -----------------------------------------------------------


def test_build_specs_for_the_real_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path / "data", temporal_address="127.0.0.1:7300", api_port=8001)
    specs = build_specs(settings)

    assert [s.name for s in specs] == ["temporal", "migrate", "bank", "smtp", "sms", "worker", "api"]
    temporal = specs[0].argv
    assert temporal[1:3] == ["server", "start-dev"]
    flags = dict(zip(temporal[3::2], temporal[4::2], strict=False))
    assert flags["--ip"] == "127.0.0.1"
    assert flags["--port"] == "7300" and flags["--ui-port"] == "8300"
    assert flags["--db-filename"] == str(tmp_path / "data" / "temporal.db")
    assert flags["--namespace"] == "default" and flags["--log-level"] == "warn"
    assert flags["--dynamic-config-value"] == "frontend.WorkflowTimeSkippingEnabled=true"
    assert "EscrowStatus=Keyword" in temporal and "EscrowParty=KeywordList" in temporal
    assert all(s.ready_check is not None for s in specs if s.name != "migrate")
    for spec in specs[1:]:
        assert list(spec.argv) == [sys.executable, "-m", "cli.main", spec.name]
        assert spec.oneshot == (spec.name == "migrate")
        assert spec.env is not None
        assert spec.env["ESCROW_DATA_DIR"] == str(tmp_path / "data")
        assert spec.env["ESCROW_API_PORT"] == "8001"
        assert spec.env["ESCROW_BUILD_ID"] == "dev"  # one build across commits on a developer's machine
        assert spec.env["ESCROW_TEMPORAL_ADDRESS"] == "127.0.0.1:7300"
        assert spec.env["ESCROW_WEBHOOK_SECRET"] == settings.webhook_secret.get_secret_value()

    # what a child process reads from that environment is exactly the supervisor's settings
    for key in [k for k in os.environ if k.startswith("ESCROW_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    for key, value in specs[1].env.items():
        if key.startswith("ESCROW_"):
            monkeypatch.setenv(key, value)
    assert Settings() == settings.model_copy(update={"data_dir": tmp_path / "data", "build_id": "dev"})


async def test_real_temporal_dev_server_registers_search_attributes_and_persists(tmp_path: Path) -> None:
    port, ui_port = free_port(), free_port()
    address = f"127.0.0.1:{port}"

    sup, out = supervisor([temporal_spec(tmp_path, port=port, ui_port=ui_port)], stop_timeout=10.0)
    task = await run_until_ready(sup, timeout=90)
    try:
        client = await Client.connect(address)
        resp = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert resp.custom_attributes["EscrowStatus"] == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        assert resp.custom_attributes["EscrowParty"] == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
        # a workflow nobody works on: it must still be there after a restart
        await client.start_workflow("NoSuchWorkflow", id="escrow-persisted", task_queue="nobody")
    finally:
        sup.request_stop()
        assert await asyncio.wait_for(task, 30) == 0, out.getvalue()
    assert (tmp_path / "temporal.db").exists()

    sup, out = supervisor([temporal_spec(tmp_path, port=port, ui_port=ui_port)], stop_timeout=10.0)
    task = await run_until_ready(sup, timeout=90)
    try:
        client = await Client.connect(address)
        desc = await client.get_workflow_handle("escrow-persisted").describe()
        assert desc.status == WorkflowExecutionStatus.RUNNING
    finally:
        sup.request_stop()
        assert await asyncio.wait_for(task, 30) == 0, out.getvalue()


# `run_dev` itself, with the real Temporal dev server and stand-ins for `python -m cli.main
# migrate|bank|smtp|sms|worker|api` (a fake `cli` package first on the children's PYTHONPATH).
FAKE_CLI_MAIN = """
import os, pathlib, signal, socket, sys
cmd = sys.argv[1]
if cmd == "migrate":
    pathlib.Path(os.environ["ESCROW_DATA_DIR"], "migrated").write_text("yes")
    print("schema at head")
    sys.exit(0)
def bye(signum, frame):
    print(f"{cmd} stopping", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
port = {
    "bank": "ESCROW_BANK_PORT", "smtp": "ESCROW_DEV_SMTP_PORT",
    "sms": "ESCROW_DEV_SMS_PORT", "api": "ESCROW_API_PORT",
}.get(cmd)
if port:
    server = socket.socket()
    server.bind(("127.0.0.1", int(os.environ[port])))
    server.listen()
print(f"{cmd} up, temporal at {os.environ['ESCROW_TEMPORAL_ADDRESS']}", flush=True)
while True:
    signal.pause()
"""

RUN_DEV = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("escrow_dev", sys.argv[1])
dev = importlib.util.module_from_spec(spec)
sys.modules["escrow_dev"] = dev
spec.loader.exec_module(dev)
from config.settings import Settings
sys.exit(dev.run_dev(Settings()))
"""


def test_run_dev_supervises_the_whole_stack(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    (fake / "cli").mkdir(parents=True)
    (fake / "cli" / "__init__.py").write_text("")
    (fake / "cli" / "main.py").write_text(FAKE_CLI_MAIN)
    data = tmp_path / "data"
    temporal_port, bank_port, api_port = free_port_with(1000), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCROW_") and k != "DATABASE_URL"}
    env |= {
        "PYTHONPATH": f"{fake}{os.pathsep}{ROOT}",
        "NO_COLOR": "1",
        "ESCROW_DATA_DIR": str(data),
        "ESCROW_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "ESCROW_BANK_PORT": str(bank_port),
        "ESCROW_BANK_URL": f"http://127.0.0.1:{bank_port}",
        "ESCROW_API_PORT": str(api_port),
        "ESCROW_DEV_SMTP_PORT": str(free_port()),
        "ESCROW_DEV_SMS_PORT": str(free_port()),
    }
    with SupervisorProcess([PY, "-c", RUN_DEV, str(ROOT / "cli" / "dev.py")], cwd=tmp_path, env=env) as sup:
        sup.wait_for("stack is up", timeout=90)
        sup.stop()
    seen = sup.seen
    output = "\n".join(seen)
    assert (data / "temporal.db").exists() and (data / "migrated").read_text() == "yes"
    assert "[migrate]  schema at head" in seen
    for name in ("bank", "smtp", "sms", "worker", "api"):
        assert f"[{name}]".ljust(10) + f" {name} up, temporal at 127.0.0.1:{temporal_port}" in seen, output
    # Each child starts once the one before is ready; the worker has no readiness signal, so
    # its first line may come after the API's. (The Temporal CLI buffers its banner when
    # writing to a pipe, so that may come late too.)
    first = {name: output.index(f"[{name}]") for name in ("migrate", "bank", "smtp", "sms", "worker", "api")}
    assert (
        first["migrate"] < first["bank"] < first["smtp"] < first["sms"] < min(first["worker"], first["api"])
    )
    stops = [output.index(f"{name} stopping") for name in ("api", "worker", "bank")]
    assert stops == sorted(stops), output
    assert output.index("bank stopping") < output.index("[dev]      stopping temporal")


def test_run_dev_refuses_busy_or_colliding_ports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        temporal = free_port_with(1000)
        settings = Settings(
            data_dir=tmp_path,
            temporal_address=f"127.0.0.1:{temporal}",
            api_port=busy,
            bank_port=free_port(),
            dev_smtp_port=free_port(),
            dev_sms_port=free_port(),
        )
        assert run_dev(settings) == 1
        assert f"port(s) [{busy}] already in use" in capsys.readouterr().err

    settings = Settings(data_dir=tmp_path, temporal_address="127.0.0.1:17233", api_port=18233)
    assert run_dev(settings) == 1
    assert "ports collide" in capsys.readouterr().err
    assert not (tmp_path / "temporal.db").exists()  # nothing was started


def test_real_stack_restarts_a_killed_worker_and_an_escrow_still_completes(tmp_path: Path) -> None:
    """`escrow dev` itself, every child real: SIGKILL the worker, see it restarted, run a whole escrow."""
    escrow = str(Path(PY).with_name("escrow"))
    temporal_port, bank_port, api_port = free_port_with(1000), free_port(), free_port()
    api = f"http://127.0.0.1:{api_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCROW_") and k != "DATABASE_URL"}
    env |= {
        "NO_COLOR": "1",
        "ESCROW_DATA_DIR": str(tmp_path / "data"),
        "ESCROW_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "ESCROW_BANK_PORT": str(bank_port),
        "ESCROW_BANK_URL": f"http://127.0.0.1:{bank_port}",
        "ESCROW_API_PORT": str(api_port),
        "ESCROW_DEV_SMTP_PORT": str(free_port()),
        "ESCROW_DEV_SMS_PORT": str(free_port()),
        "ESCROW_WEBHOOK_URL": f"{api}/webhooks/bank",
        "ESCROW_WORKER_METRICS_PORT": "0",
        "ESCROW_API_METRICS_PORT": "0",
    }
    with SupervisorProcess([escrow, "dev"], cwd=tmp_path, env=env) as sup:
        sup.wait_for("stack is up", timeout=180)
        first = started_pid(sup.seen, "worker")
        os.kill(first, signal.SIGKILL)
        sup.wait_for("worker exited with signal SIGKILL; restarting it in 1 s (death 1;")
        sup.wait_for("started worker (pid")
        again = started_pid(sup.seen, "worker")
        assert again != first and not gone(again)

        # the API still answers, and a whole escrow (its deposit included) completes on the new worker
        assert httpx.get(f"{api}/health", timeout=10).status_code == 200
        demo = subprocess.run(
            [escrow, "demo", "--api-url", api], cwd=tmp_path, env={**env, "COLUMNS": "200"},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "demo: ledger balanced" in demo.stdout
        sup.stop()
    output = "\n".join(sup.seen)
    assert output.count("exited with") == 1, output  # the one death we caused, no other
    assert started_pid(sup.seen, "worker") == again and gone(again)


def started_pid(seen: list[str], name: str) -> int:
    """The pid of `name`'s latest start, from the supervisor's `started NAME (pid N)` lines."""
    found = [re.search(rf"\[dev\]\s+started {name} \(pid (\d+)\)", line) for line in seen]
    return int([m for m in found if m][-1].group(1))
