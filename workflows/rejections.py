"""Refused steps as update failures: the API reads `kind` and `code` to answer 4xx."""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.steps.machine import Commit, SignedStepMachine
    from domain.steps.rejections import StepRejected
    from workflows.escrow_types import STEP_REJECTED, KeysInput, StepInput


def rejection_error(exc: StepRejected) -> ApplicationError:
    """The refusal as an update failure; its sentence's values ride along only when there are any,
    so a refusal without them fails as it always did."""
    params = {"params": exc.params} if exc.params else {}
    return ApplicationError(
        exc.message,
        {"kind": exc.kind.value, "code": exc.code, **exc.details(), **params},
        type=STEP_REJECTED,
        non_retryable=True,
    )


def planned(machine: SignedStepMachine, input: StepInput) -> Commit:
    """Plan a step (after its signer's key events) at the workflow's time; a refusal fails the
    update, not the workflow."""
    try:
        return machine.plan(input.step, workflow.now(), input.keys, input.councils)
    except StepRejected as exc:
        raise rejection_error(exc) from None


def planned_keys(machine: SignedStepMachine, input: KeysInput) -> Commit:
    """Plan a party's key events at the workflow's time; refused like a step."""
    try:
        return machine.plan_keys(input.party_id, input.events, workflow.now(), input.councils)
    except StepRejected as exc:
        raise rejection_error(exc) from None
