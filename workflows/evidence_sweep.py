"""The evidence sweep, run by a Temporal Schedule (activities/evidence.py does the sweeping).

Decided: a Schedule rather than a long-running workflow with a timer loop. The Schedule is
durable server state, created when a worker starts (idempotently: `ensure_sweep_schedule`
leaves an existing one alone, so a pool of workers makes one); it starts this one-activity
workflow every `ESCROW_EVIDENCE_SWEEP_MINUTES`, skipping a run while the last one still
sweeps. Each run's history is a handful of events, so there is no continue-as-new to manage,
and an operator pauses, triggers or inspects it with `temporal schedule` like any other.
Pinned: a run lasts seconds and finishes on the build that started it.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.common import VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.evidence import EvidenceActivities
    from activities.types import EvidenceSweepInput, EvidenceSweepResult
    from workflows.activity_policies import BOUNDED

SCHEDULE_ID = "evidence-sweep"


@workflow.defn(versioning_behavior=VersioningBehavior.PINNED)
class EvidenceSweepWorkflow:
    @workflow.run
    async def run(self, input: EvidenceSweepInput) -> EvidenceSweepResult:
        return await workflow.execute_activity_method(
            EvidenceActivities.sweep_evidence,
            input,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=BOUNDED["retry_policy"],
        )


async def ensure_sweep_schedule(
    client: Client, *, task_queue: str, every: timedelta, grace_hours: int
) -> bool:
    """Create the sweep's schedule unless it exists; whether this call created it."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            EvidenceSweepWorkflow.run,
            EvidenceSweepInput(grace_hours=grace_hours),
            id=f"{SCHEDULE_ID}-run",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:
        return False
    return True
