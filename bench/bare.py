"""The bare engine: a workflow with an escrow's shape and none of its domain logic.

Its script is read off a real escrow's history: for the stretch before the first
update and after each accepted update, how many activities it scheduled, timers it
started and search-attribute upserts it made. The bare workflow replays exactly that
against a no-op activity, so the Temporal server does the same work per lifecycle and
the difference in throughput is this project's own cost (signatures, the machine,
the API, the bank over HTTP, the read model).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.common import SearchAttributeKey

BARE_TASK_QUEUE = "bench-bare"
BARE_STATUS = SearchAttributeKey.for_keyword("EscrowStatus")
IDLE_TIMEOUT = timedelta(days=1)  # a timer like the escrow's deadline; cancelled by the next update


@dataclass
class Segment:
    activities: int = 0
    timers: int = 0
    upserts: int = 0


@dataclass
class BareScript:
    """Segment 0 runs at start; segment i runs after the i-th update."""

    segments: list[Segment] = field(default_factory=list)

    @property
    def updates(self) -> int:
        return len(self.segments) - 1


def script_from_history(events: Iterable[HistoryEvent]) -> BareScript:
    segments = [Segment()]
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            segments.append(Segment())
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            segments[-1].activities += 1
        elif kind == EventType.EVENT_TYPE_TIMER_STARTED:
            segments[-1].timers += 1
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            segments[-1].upserts += 1
    return BareScript(segments)


@dataclass
class BareStep:
    nonce: str


@activity.defn
async def bare_activity() -> None:
    """Does nothing: the server's round trip is the whole cost."""


@workflow.defn
class BareWorkflow:
    def __init__(self) -> None:
        self._updates = 0

    @workflow.run
    async def run(self, script: BareScript) -> int:
        for index, segment in enumerate(script.segments):
            for n in range(segment.upserts):
                workflow.upsert_search_attributes([BARE_STATUS.value_set(f"bare-{index}-{n}")])
            for _ in range(segment.activities):
                await workflow.execute_activity(bare_activity, start_to_close_timeout=timedelta(seconds=30))
            if index == script.updates:
                break
            await self._wait_for_update(index + 1, segment.timers)
        return self._updates

    async def _wait_for_update(self, count: int, timers: int) -> None:
        """One durable timer when the escrow had one or more in this stretch (the table shows both counts)."""
        await workflow.wait_condition(
            lambda: self._updates >= count, timeout=IDLE_TIMEOUT if timers else None
        )

    @workflow.update
    def step(self, step: BareStep) -> int:
        self._updates += 1
        return self._updates

    @step.validator
    def validate_step(self, step: BareStep) -> None:
        if not step.nonce:
            raise ValueError("a step carries a nonce")
