"""Refused steps as update failures: the API reads `kind` and `code` to answer 4xx."""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.escrow.rejections import StepRejected
    from workflows.escrow_types import STEP_REJECTED


def rejection_error(exc: StepRejected) -> ApplicationError:
    return ApplicationError(
        exc.message, {"kind": exc.kind.value, "code": exc.code}, type=STEP_REJECTED, non_retryable=True
    )
