"""The seeded fault schedule: which process dies when, and how the bank misbehaves.

Everything random in a chaos run is drawn here from one seed, so the same seed gives
the same schedule (the same kill and restart moments, and the same seed handed to the
bank's fault injector). What the faults then hit depends on timing and is not fixed.
"""

import random
from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    KILL_WORKER = "kill-worker"  # SIGKILL one worker process, then start it again
    RESTART_TEMPORAL = "restart-temporal"  # stop the dev server and start it on the same SQLite file


@dataclass(frozen=True)
class BankFaults:
    error_rate: float = 0.05  # share of money movements answered 503 without doing anything
    latency_ms: int = 100  # added to every money movement
    drop_after_commit_rate: float = 0.05  # share committed, then the connection cut before the body


@dataclass(frozen=True)
class ChaosEvent:
    at_seconds: float  # from the start of the drive
    kind: EventKind
    worker: int = 0  # which worker, for KILL_WORKER

    def describe(self) -> str:
        if self.kind is EventKind.KILL_WORKER:
            return f"SIGKILL worker-{self.worker} and restart it"
        return "restart the Temporal dev server (same SQLite file)"


@dataclass(frozen=True)
class FaultSchedule:
    seed: int
    events: list[ChaosEvent]
    bank: BankFaults


def build_schedule(
    *,
    seed: int,
    duration_seconds: float,
    worker_kills: int,
    server_restarts: int,
    workers: int,
    bank: BankFaults,
) -> FaultSchedule:
    """Spread the kills and restarts over the window, no two server restarts closer than a tenth of it.

    Server restarts get evenly spaced slots with seeded jitter (so `server_restarts=2`
    really means two separate outages); worker kills fall anywhere in the window.
    """
    rng = random.Random(seed)
    events: list[ChaosEvent] = []
    slot = duration_seconds / max(server_restarts, 1)
    for n in range(server_restarts):
        events.append(
            ChaosEvent(round(slot * n + rng.uniform(0.1, 0.9) * slot, 2), EventKind.RESTART_TEMPORAL)
        )
    for _ in range(worker_kills):
        at = round(rng.uniform(0.05, 1.0) * duration_seconds, 2)
        events.append(ChaosEvent(at, EventKind.KILL_WORKER, worker=rng.randrange(workers)))
    events.sort(key=lambda e: e.at_seconds)
    return FaultSchedule(seed=seed, events=events, bank=bank)
