"""A changed definition of EscrowWorkflow, under its name, for the replay checks.

Kept in a module of its own: the workflow sandbox re-imports the module a workflow class
lives in, so it must import nothing but workflow code.
"""

from temporalio import workflow
from temporalio.common import VersioningBehavior

from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import EscrowInput, EscrowOutcome


@workflow.defn(name="EscrowWorkflow", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class BankFirstEscrowWorkflow(EscrowWorkflow):
    """An escrow that projects an accepted step only once the bank has answered (the order
    before 0.1.0), changed without `workflow.patched`: a history recorded by today's code,
    whose projection came first, does not replay on it."""

    @workflow.run
    async def run(self, input: EscrowInput) -> EscrowOutcome:
        return await super().run(input)

    def _project_before_bank(self) -> bool:
        return False
