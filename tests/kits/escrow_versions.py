"""Earlier definitions of EscrowWorkflow, under its name, for the versioning tests.

Kept in a module of their own: the workflow sandbox re-imports the module a
workflow class lives in, so it must import nothing but workflow code.
"""

from temporalio import workflow
from temporalio.common import VersioningBehavior

from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import EscrowInput, EscrowOutcome


@workflow.defn(name="EscrowWorkflow", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class OldEscrowWorkflow(EscrowWorkflow):
    """Before `project-before-bank`: projections waited for the bank."""

    @workflow.run
    async def run(self, input: EscrowInput) -> EscrowOutcome:
        return await super().run(input)

    def _project_before_bank(self) -> bool:
        return False


@workflow.defn(name="EscrowWorkflow", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class UnguardedEscrowWorkflow(EscrowWorkflow):
    """The same change made without `workflow.patched`: what the guard is there for."""

    @workflow.run
    async def run(self, input: EscrowInput) -> EscrowOutcome:
        return await super().run(input)

    def _project_before_bank(self) -> bool:
        return bool(self._machine.pending_movements())
