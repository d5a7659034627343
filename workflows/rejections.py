"""Refused steps as update failures: the API reads `kind` and `code` to answer 4xx."""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.steps.machine import Commit, SignedStepMachine
    from domain.steps.rejections import StepRejected
    from domain.steps.signing import SignedStep
    from workflows.escrow_types import STEP_REJECTED


def rejection_error(exc: StepRejected) -> ApplicationError:
    return ApplicationError(
        exc.message, {"kind": exc.kind.value, "code": exc.code}, type=STEP_REJECTED, non_retryable=True
    )


def planned(machine: SignedStepMachine, step: SignedStep) -> Commit:
    """Plan a step at the workflow's time; a refusal fails the update, not the workflow."""
    try:
        return machine.plan(step, workflow.now())
    except StepRejected as exc:
        raise rejection_error(exc) from None
