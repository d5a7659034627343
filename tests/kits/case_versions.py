"""A later definition of the case workflow, under its name, for the Worker Versioning tests.

Kept in a module of their own: the workflow sandbox re-imports the module a workflow class
lives in, so it must import nothing but workflow code.
"""

from temporalio import workflow
from temporalio.common import VersioningBehavior

from workflows.case import CaseWorkflow
from workflows.case_types import CaseInput, CaseOutcome

REWORKED = "reworked"


@workflow.defn(name="DisputeWorkflow", versioning_behavior=VersioningBehavior.PINNED)
class ReworkedCaseWorkflow(CaseWorkflow):
    """An incompatible change made with no `workflow.patched`: a new first command (a memo
    upsert). A case that started on the earlier build fails with a non-determinism error the
    moment this code replays its history."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseOutcome:
        workflow.upsert_memo({REWORKED: True})
        return await super().run(input)
