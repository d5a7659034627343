"""A worker that runs one chosen definition of EscrowWorkflow, as the stack's (current) build.

Kept apart from tests/kits/escrow_versions.py: the sandbox re-imports that module, so it holds
workflow code only.
"""

from tests.conftest import Stack
from workflows.case import CaseWorkflow
from workflows.deployment import deployment_version
from workflows.worker import build_worker


def worker(stack: Stack, thread_pool, escrow_workflow: type):
    return build_worker(
        stack.temporal,
        task_queue=stack.settings.temporal_task_queue,
        deployment=deployment_version(stack.settings),
        bank=stack.bank,
        engine=stack.engine,
        executor=thread_pool,
        workflows=[escrow_workflow, CaseWorkflow],
        workflow_failure_exception_types=[Exception],  # a non-determinism fails the escrow, visibly
    )
