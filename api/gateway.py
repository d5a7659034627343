"""Talking to escrow workflows, with Temporal's failures turned into API errors.

A rejected update never reached history, so every error here means "nothing
changed" and the client may correct and retry.
"""

from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError
from domain.escrow.rejections import RejectionKind
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import STEP_REJECTED, escrow_workflow_id

STATUS_BY_KIND = {
    RejectionKind.INVALID.value: 422,
    RejectionKind.FORBIDDEN.value: 403,
    RejectionKind.CONFLICT.value: 409,
    RejectionKind.DUPLICATE.value: 409,
}


def escrow_handle(client: Client, escrow_id: str) -> WorkflowHandle:
    return client.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))


def rejection_from(exc: WorkflowUpdateFailedError) -> ApiError:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type == STEP_REJECTED and cause.details:
        detail = cause.details[0]
        return ApiError(STATUS_BY_KIND.get(detail.get("kind"), 409), detail["code"], cause.message)
    return ApiError(409, "step_failed", str(cause or exc))


def not_reachable(exc: RPCError, escrow_id: str) -> ApiError:
    if exc.status == RPCStatusCode.NOT_FOUND:
        if "completed" in exc.message or "closed" in exc.message:
            return ApiError(409, "escrow_closed", f"escrow {escrow_id} is closed")
        return ApiError(404, "escrow_not_found", f"there is no escrow {escrow_id}")
    if exc.status == RPCStatusCode.FAILED_PRECONDITION:
        return ApiError(409, "escrow_closed", f"escrow {escrow_id} is closed")
    return ApiError(503, "temporal_unavailable", "the workflow service did not answer; try again")


async def execute(client: Client, escrow_id: str, update: Any, argument: Any) -> Any:
    try:
        return await escrow_handle(client, escrow_id).execute_update(update, argument)
    except WorkflowUpdateFailedError as exc:
        raise rejection_from(exc) from None
    except RPCError as exc:
        raise not_reachable(exc, escrow_id) from None


async def query(client: Client, escrow_id: str, query_method: Any) -> Any:
    try:
        return await escrow_handle(client, escrow_id).query(query_method)
    except RPCError as exc:
        raise not_reachable(exc, escrow_id) from None
