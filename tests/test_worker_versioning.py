"""Two builds of the worker on one task queue, as during a rollout (docs/VERSIONING.md).

Each test has a Worker Deployment and a task queue of its own on the session's server, an
old build and a new one polling that queue side by side, and promotes the new build the way
an operator does once its workers are up. A case is pinned: one filed before the promotion
runs every later task on the old build, however different the new build's code is.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from temporalio.client import WorkflowHandle
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Replayer

from client.escrow_session import eventually
from config.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from domain.case.terms import CAR
from tests.conftest import Stack
from tests.kits.case_versions import REWORKED, ReworkedCaseWorkflow
from tests.kits.case_workflow_kit import Case, start_case
from workflows.case import CaseWorkflow
from workflows.deployment import deployment_version, make_current
from workflows.escrow import EscrowWorkflow
from workflows.worker import build_worker

REASON = {"reason": "the dealer replaced the gearbox after all"}
OLD, NEW = "0.1.0-0ld0ld0ld0ld", "0.1.0-4e54e54e54e5"
STEP_SECONDS = 30
DISPUTED_FEN = 30_000_000


@dataclass
class Rollout:
    """A deployment of the test's own: its settings, its registry database, its builds' workers."""

    stack: Stack
    settings: Settings
    engine: Engine
    thread_pool: ThreadPoolExecutor
    filed: int = 0

    def version(self, build: str) -> WorkerDeploymentVersion:
        return deployment_version(self.settings.model_copy(update={"build_id": build}))

    @contextlib.asynccontextmanager
    async def build(
        self, build: str, workflows: Sequence[type] = (EscrowWorkflow, CaseWorkflow)
    ) -> AsyncIterator[WorkerDeploymentVersion]:
        """A worker of `build` polling the test's queue (a non-determinism fails the workflow)."""
        version = self.version(build)
        worker = build_worker(
            self.stack.temporal,
            task_queue=self.settings.temporal_task_queue,
            deployment=version,
            bank=self.stack.bank,
            engine=self.engine,
            executor=self.thread_pool,
            workflows=workflows,
            workflow_failure_exception_types=[Exception],
        )
        async with worker:
            yield version

    async def promote(self, version: WorkerDeploymentVersion) -> None:
        await make_current(self.stack.temporal, version)

    async def file_case(self) -> Case:
        """A car case on the test's queue. Its experts are enrolled with the first case only: the
        cases here are withdrawn before any panel is drawn."""
        self.filed += 1
        return await start_case(
            self.stack,
            (self.engine, self.settings.temporal_task_queue),
            CAR,
            disputed_fen=DISPUTED_FEN,
            case_id=f"CASE-2026-{self.settings.deployment_name[-6:]}{self.filed}",
            expert_count=10 if self.filed == 1 else 0,
        )


@contextlib.asynccontextmanager
async def rollout(stack: Stack, thread_pool: ThreadPoolExecutor, data_dir: Path) -> AsyncIterator[Rollout]:
    name = uuid.uuid4().hex[:10]
    settings = stack.settings.model_copy(
        update={"deployment_name": f"rollout-{name}", "temporal_task_queue": f"rollout-{name}"}
    )
    url = f"sqlite:///{data_dir / 'registry.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield Rollout(stack, settings, engine, thread_pool)
    finally:
        engine.dispose()


async def builds_that_ran(handle: WorkflowHandle) -> list[str]:
    """The build id of every workflow task the run completed, in order."""
    history = await handle.fetch_history()
    return [
        event.workflow_task_completed_event_attributes.deployment_version.build_id
        for event in history.events
        if event.HasField("workflow_task_completed_event_attributes")
    ]


async def pinned_to(handle: WorkflowHandle) -> tuple[int, str]:
    info = (await handle.describe()).raw_description.workflow_execution_info.versioning_info
    return info.behavior, info.deployment_version.build_id


async def first_task_done(case: Case) -> None:
    await eventually(lambda: builds_that_ran(case.handle), bool, "the case's first task", STEP_SECONDS)


async def withdraw(case: Case) -> str:
    async with asyncio.timeout(STEP_SECONDS):
        await case.step("claimant", "case.withdraw", REASON)
        outcome = await case.handle.result()
    assert outcome.phase == "closed"
    return str(outcome.outcome.outcome)


async def test_a_case_started_on_the_old_build_finishes_there_while_new_cases_go_to_the_new(
    stack, thread_pool, tmp_path
):
    async with rollout(stack, thread_pool, tmp_path) as deployment, deployment.build(OLD) as old:
        await deployment.promote(old)
        before = await deployment.file_case()
        await first_task_done(before)

        async with deployment.build(NEW) as new:
            await deployment.promote(new)
            after = await deployment.file_case()
            await first_task_done(after)

            assert await pinned_to(before.handle) == (VersioningBehavior.PINNED, OLD)
            assert await pinned_to(after.handle) == (VersioningBehavior.PINNED, NEW)
            assert await withdraw(before) == "withdrawn"
            assert await withdraw(after) == "withdrawn"

    ran_before, ran_after = await builds_that_ran(before.handle), await builds_that_ran(after.handle)
    assert len(ran_before) > 1 and set(ran_before) == {OLD}, "the old case's later tasks stayed on its build"
    assert len(ran_after) > 1 and set(ran_after) == {NEW}


async def test_an_incompatible_change_on_the_new_build_leaves_a_running_case_alone(
    stack, thread_pool, tmp_path
):
    async with rollout(stack, thread_pool, tmp_path) as deployment, deployment.build(OLD) as old:
        await deployment.promote(old)
        before = await deployment.file_case()
        await first_task_done(before)

        async with deployment.build(NEW, (EscrowWorkflow, ReworkedCaseWorkflow)) as new:
            await deployment.promote(new)
            after = await deployment.file_case()
            await first_task_done(after)
            assert await withdraw(before) == "withdrawn"
            assert await withdraw(after) == "withdrawn"

    assert await (await after.handle.describe()).memo_value(REWORKED) is True, "the new build ran new cases"
    assert await (await before.handle.describe()).memo_value(REWORKED, None) is None
    assert set(await builds_that_ran(before.handle)) == {OLD}
    replay = await Replayer(workflows=[ReworkedCaseWorkflow]).replay_workflow(
        await before.handle.fetch_history(), raise_on_replay_failure=False
    )
    assert replay.replay_failure is not None, "on the new build the old case would have failed"
