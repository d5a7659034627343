"""Talking to process workflows (escrows, cases, funds), with Temporal's failures turned into API errors.

A rejected update never reached history, so every error here means "nothing
changed" and the client may correct and retry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError
from domain.steps.rejections import ParamValue, RejectionKind, StepRejected
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import STEP_REJECTED, escrow_workflow_id
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id

STATUS_BY_KIND = {
    RejectionKind.INVALID.value: 422,
    RejectionKind.FORBIDDEN.value: 403,
    RejectionKind.CONFLICT.value: 409,
    RejectionKind.DUPLICATE.value: 409,
}


@dataclass(frozen=True)
class Process:
    """A kind of workflow people send signed steps to."""

    noun: str  # "escrow" | "case": used in error codes such as escrow_not_found
    workflow_id: Callable[[str], str]
    run: Any  # the workflow's run method, for typed handles
    submit_step: Any  # its update that takes a StepInput (a signed step and its signer's key events)

    def handle(self, client: Client, subject_id: str) -> WorkflowHandle[Any, Any]:
        return client.get_workflow_handle_for(self.run, self.workflow_id(subject_id))


ESCROW = Process("escrow", escrow_workflow_id, EscrowWorkflow.run, EscrowWorkflow.submit_step)
CASE = Process("case", case_workflow_id, CaseWorkflow.run, CaseWorkflow.submit_step)
FUND = Process("fund", fund_workflow_id, FundWorkflow.run, FundWorkflow.submit_step)


def refused(exc: StepRejected, status: int | None = None) -> ApiError:
    """A machine's refusal raised outside a workflow, answered at its kind's status (or `status`)."""
    return ApiError(
        status or STATUS_BY_KIND[exc.kind.value],
        exc.code,
        exc.message,
        details=exc.details(),
        params=exc.params,
    )


def rejection_from(exc: WorkflowUpdateFailedError) -> ApiError:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type == STEP_REJECTED and cause.details:
        detail = cause.details[0]
        field = {"field": detail["field"]} if detail.get("field") else {}
        return ApiError(
            STATUS_BY_KIND.get(detail.get("kind"), 409),
            detail["code"],
            cause.message,
            details=field,
            params=sent_params(detail.get("params")),
        )
    return ApiError(409, "step_failed", str(cause or exc))


def sent_params(raw: Any) -> dict[str, ParamValue]:
    """A workflow refusal's values as sent (api/error_catalogue.py), keeping only text and whole
    numbers: what crossed the wire is read, never trusted to be a sentence's argument as it is."""
    if not isinstance(raw, dict):
        return {}
    return {
        str(name): value
        for name, value in raw.items()
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    }


def closed_error(process: Process, subject_id: str) -> ApiError:
    return ApiError(409, f"{process.noun}_closed", f"{process.noun} {subject_id} is closed")


def not_reachable(exc: RPCError, process: Process, subject_id: str) -> ApiError:
    closed = closed_error(process, subject_id)
    if exc.status == RPCStatusCode.NOT_FOUND:
        if "completed" in exc.message or "closed" in exc.message:
            return closed
        return ApiError(404, f"{process.noun}_not_found", f"there is no {process.noun} {subject_id}")
    if exc.status == RPCStatusCode.FAILED_PRECONDITION:
        return closed
    return ApiError(503, "temporal_unavailable", "the workflow service did not answer; try again")


async def unreachable(client: Client, exc: RPCError, process: Process, subject_id: str) -> ApiError:
    """`not_reachable`, except that "closed" and "not found" are settled by asking the server.

    Found by `escrow chaos`: with the workers starved, a new escrow's first workflow task timed
    out and its first step was refused with FAILED_PRECONDITION; the API said `409 escrow_closed`
    of a running escrow, and a client that believes it gives up. Found by the withdrawal browser
    test: a step re-sent to a case that had just closed was answered NOT_FOUND without the word
    "completed", and the page said there is no such case. So: a workflow that exists and runs is
    not ready (try again), one that exists and does not run is closed, and only one the server
    cannot find is not found.
    """
    error = not_reachable(exc, process, subject_id)
    if exc.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
        return error
    not_ready = ApiError(
        503, f"{process.noun}_not_ready", f"the {process.noun} cannot take requests just now; try again"
    )
    try:
        status = (await process.handle(client, subject_id).describe()).status
    except RPCError:  # no such workflow (its NOT_FOUND answer stands), or no answer at all
        return error if exc.status == RPCStatusCode.NOT_FOUND else not_ready
    return not_ready if status == WorkflowExecutionStatus.RUNNING else closed_error(process, subject_id)


async def execute(client: Client, process: Process, subject_id: str, update: Any, argument: Any) -> Any:
    try:
        return await process.handle(client, subject_id).execute_update(update, argument)
    except WorkflowUpdateFailedError as exc:
        raise rejection_from(exc) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        # Found by `escrow chaos` (it was a 500): the server had the update but no worker
        # answered in time (one killed, or the server restarting). It may still be applied.
        raise ApiError(
            504,
            "outcome_unknown",
            f"the {process.noun} did not answer in time; the step may still be applied: "
            "send the same signed envelope again (if it was applied, that is refused as nonce_reused)",
        ) from None
    except RPCError as exc:
        raise await unreachable(client, exc, process, subject_id) from None


async def start_once(
    client: Client, run: Any, workflow_input: Any, *, workflow_id: str, task_queue: str, **options: Any
) -> None:
    """Start a workflow unless one with this id was ever started: a repeated create re-starts its
    recorded input, and finding it running (or closed) means the first request's start landed.

    Reusing a closed workflow's id is refused too, so a repeat never runs a closed escrow again.
    """
    try:
        await client.start_workflow(
            run,
            workflow_input,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            **options,
        )
    except WorkflowAlreadyStartedError:
        return
    except RPCError:
        raise ApiError(
            503, "temporal_unavailable", "the workflow service did not answer; try again"
        ) from None


async def query(client: Client, process: Process, subject_id: str, query_method: Any) -> Any:
    """The workflow's answer to a read.

    Found by the API fuzzer in a CI run on a loaded machine (it was a 500): the worker failed the
    query because the workflow "didn't yield within 2 seconds" (Temporal's deadlock detector,
    tripped by a starved CPU while replaying). A query the worker could not answer is a read to
    try again, like a workflow not ready.
    """
    try:
        return await process.handle(client, subject_id).query(query_method)
    except WorkflowQueryFailedError:
        raise ApiError(
            503, f"{process.noun}_not_ready", f"the {process.noun} could not be read just now; try again"
        ) from None
    except RPCError as exc:
        raise await unreachable(client, exc, process, subject_id) from None
