"""The updates every process taking signed steps answers alike: the escrow's, the case's and the fund's.

Defined once and inherited (Temporal finds a workflow's handlers on its base classes too), so a
signed step and a party's key events reach either machine by the same code, under the same
update names the histories record.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.case.machine import CaseMachine
    from domain.escrow.machine import EscrowMachine
    from domain.fund.machine import FundMachine
    from workflows.escrow_types import KeysInput, StepInput, StepReceipt
    from workflows.rejections import planned, planned_keys


class StepUpdates:
    _machine: EscrowMachine | CaseMachine | FundMachine

    @workflow.update
    def submit_step(self, input: StepInput) -> StepReceipt:
        """A signed step with its signer's key events (checked by the validator, then applied)."""
        entry_hash = planned(self._machine, input)()
        return StepReceipt(entry_hash, self._machine.version, self._machine.phase.value)

    @submit_step.validator
    def validate_step(self, input: StepInput) -> None:
        planned(self._machine, input)

    @workflow.update
    def learn_keys(self, input: KeysInput) -> StepReceipt:
        """A party's key events without a step (activities/key_events.py pushes them)."""
        entry_hash = planned_keys(self._machine, input)()
        return StepReceipt(entry_hash, self._machine.version, self._machine.phase.value)

    @learn_keys.validator
    def validate_keys(self, input: KeysInput) -> None:
        planned_keys(self._machine, input)
