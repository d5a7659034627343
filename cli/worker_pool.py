"""`escrow worker --concurrency N`: N worker processes on one task queue, under one supervisor.

Each process serves the task queue and its notify queue (workflows/worker.py).

Processes, not threads: a Python worker runs its workflow code on one core, so more
cores need more processes. Temporal hands each task to whichever poller asks first, so
the processes need no coordination; one that dies loses nothing (its tasks time out and
go to the others) and the supervisor starts it again. All of them poll as the same Worker
Deployment version (one checkout, one build id). Each child gets its own metrics port,
counting up from ESCROW_WORKER_METRICS_PORT. Any number of such pools, on any number of
machines, may poll the same queue.
"""

import asyncio
import os
import sys

from cli.dev import ChildSpec, Supervisor, settings_env
from config.settings import Settings


def worker_specs(settings: Settings, concurrency: int) -> list[ChildSpec]:
    base = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
    specs = []
    for n in range(concurrency):
        port = settings.worker_metrics_port + n if settings.worker_metrics_port else 0
        env = {**base, "ESCROW_WORKER_METRICS_PORT": str(port)}
        specs.append(ChildSpec(f"worker-{n + 1}", [sys.executable, "-m", "cli.main", "worker"], env=env))
    return specs


def run_worker_pool(settings: Settings, concurrency: int) -> int:
    from workflows.deployment import deployment_version
    from workflows.notifier import notify_task_queue

    version = deployment_version(settings)
    queue = settings.temporal_task_queue
    message = (
        f"{concurrency} workers polling task queues {queue} and {notify_task_queue(queue)} "
        f"as {version.deployment_name} build {version.build_id}"
    )
    return asyncio.run(Supervisor(worker_specs(settings, concurrency), ready_message=message).run())
