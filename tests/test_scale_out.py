"""Scale-out: worker processes on one task queue, one killed mid-flight; and the metrics they expose.

Real `escrow worker` processes (subprocesses with their own Temporal connection),
an API of their own that starts escrows on their task queue, and the session's
Temporal server and sandbox bank. The killed worker gets SIGKILL: no graceful
shutdown, its in-flight workflow and activity tasks are simply lost, and Temporal
hands them to the survivor once their timeouts pass.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cli.dev import free_port, settings_env
from client.escrow_session import EscrowSession, conservation_problems, eventually
from config.settings import Settings
from tests.conftest import Stack
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.servers import free_port_with, serve

ESCROWS = 4
SURVIVOR_WAIT_SECONDS = 120.0  # an activity lost with the killed worker is retried after its 30 s timeout


def worker_env(settings: Settings, metrics_port: int) -> dict[str, str]:
    env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    env["ESCROW_WORKER_METRICS_PORT"] = str(metrics_port)
    return env


@contextlib.contextmanager
def processes(argvs: list[tuple[list[str], dict[str, str]]]) -> Iterator[list[subprocess.Popen]]:
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0)
        for argv, env in argvs
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


async def scrape(port: int) -> str:
    async with httpx.AsyncClient(timeout=5) as http:
        return (await http.get(f"http://127.0.0.1:{port}/metrics")).text


WORKER_POLLING = "temporal_worker_task_slots_available"


async def metrics_up(port: int, seconds: float = 60.0) -> str:
    """The worker's Prometheus text once it is polling (the slot gauges appear with the first poll)."""

    async def read() -> str:
        with contextlib.suppress(httpx.HTTPError):
            return await scrape(port)
        return ""

    return await eventually(read, lambda text: WORKER_POLLING in text, f"a worker on port {port}", seconds)


def counter(text: str, name: str) -> float:
    """Sum of a metric's samples across labels, from Prometheus text."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#") and line[len(name)] in "{ "
    )


@pytest.fixture
async def own_api(stack: Stack) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    """An API starting escrows on a task queue that only this test's workers poll."""
    from api.main import create_app

    settings = stack.settings.model_copy(update={"temporal_task_queue": f"scale-{uuid.uuid4().hex[:10]}"})
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield settings, http


async def test_two_workers_one_killed_mid_flight_every_escrow_completes(stack: Stack, own_api) -> None:
    settings, http = own_api
    ports = [free_port(), free_port()]
    worker = [sys.executable, "-m", "cli.main", "worker"]
    with processes([(worker, worker_env(settings, port)) for port in ports]) as (victim, survivor):
        for port in ports:
            await metrics_up(port)

        flows = [EscrowSession(http, stack.bank) for _ in range(ESCROWS)]
        for flow in flows:
            flow.wait_seconds = SURVIVOR_WAIT_SECONDS
            await flow.register(COUNCIL_SECRET)
            await flow.create(total_fen=20_000_000)
            await flow.sign_contract()
        await asyncio.gather(*(flow.deposit(20_000_000) for flow in flows))
        await asyncio.gather(*(flow.pass_stage(1) for flow in flows))
        # both workers took part before the kill: tasks go to whichever poller asks first
        for port in ports:
            assert counter(await scrape(port), "temporal_workflow_task_execution_latency_count") > 0

        # kill one while stage 2 is in flight on every escrow: its requests are being accepted
        stage_2 = [asyncio.create_task(flow.pass_stage(2)) for flow in flows]
        await flows[0].wait_for(lambda s: s.stages[1].status != "awaiting_request", "stage 2 to be under way")
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(10)
        await asyncio.gather(*stage_2)
        for stage in (3, 4):
            await asyncio.gather(*(flow.pass_stage(stage) for flow in flows))

        for flow in flows:
            state = await flow.settled()
            assert state.phase == "warranty", state.phase
            assert conservation_problems(state) == []
            balance = await stack.bank.balance(flow.escrow_id)
            assert balance.paid_out_fen == state.ledger.released_fen == 19_000_000
            assert balance.balance_fen == state.ledger.held_fen == 1_000_000
            statement = await stack.bank.statement(flow.escrow_id)
            keys = [entry.idempotency_key for entry in statement]
            assert len(keys) == len(set(keys)), "a movement was booked twice"
        assert survivor.poll() is None, "the survivor is still running"


async def test_worker_pool_runs_processes_with_their_own_metrics_ports(stack: Stack) -> None:
    base = free_port_with(1)  # the pool's second worker takes the next port
    settings = stack.settings.model_copy(
        update={"temporal_task_queue": f"pool-{uuid.uuid4().hex[:10]}", "worker_metrics_port": base}
    )
    env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    pool = [sys.executable, "-m", "cli.main", "worker", "--concurrency", "2"]
    with processes([(pool, env)]) as (supervisor,):
        for port in (base, base + 1):
            text = await metrics_up(port)
            assert 'task_queue="' + settings.temporal_task_queue + '"' in text
        supervisor.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(supervisor.wait, 30) == 0
