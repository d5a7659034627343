"""One endpoint per signed step. The body is the envelope as signed plus its signature.

The route checks only that the envelope is for this route (action, subject and
the numbers in the path); who may sign what, and when, is the workflow's call,
made in its update validator so a refused step never enters history. Escrows
and dispute cases get their endpoints from the same code, each from its table.
"""

from typing import Any

from fastapi import APIRouter, FastAPI

from api.deps import TemporalDep
from api.errors import ApiError, error_responses
from api.gateway import Process, execute
from api.models import SignedStepIn, StepAccepted
from domain.canonical import canonical_json
from domain.steps.signing import SignedStep

MAX_ENVELOPE_BYTES = 64 * 1024

StepRoutes = list[tuple[str, str, str | None, str]]

# (action, path under the escrow, path parameter checked against the payload, summary)
ESCROW_STEPS: StepRoutes = [
    ("contract.sign", "/contract/signatures", None, "Owner or contractor signs the contract terms"),
    (
        "inspection.request",
        "/stages/{number}/inspection-requests",
        "stage",
        "Contractor asks for the stage to be inspected",
    ),
    (
        "inspection.report",
        "/stages/{number}/inspection-reports",
        "stage",
        "Inspector records a signed pass or fail with itemised defects",
    ),
    ("stage.accept", "/stages/{number}/acceptance", "stage", "Owner accepts the stage: release it in full"),
    (
        "stage.accept_partial",
        "/stages/{number}/partial-acceptance",
        "stage",
        "Owner accepts the stage with an itemised holdback",
    ),
    (
        "holdback.release",
        "/stages/{number}/holdback-releases",
        "stage",
        "Owner signs off held-back defects: release those amounts",
    ),
    ("change_order.sign", "/change-orders", None, "Propose or countersign a new stage plan"),
    (
        "cancel.sign",
        "/cancellation",
        None,
        "Sign a mutual cancellation: accepted work paid, the rest refunded",
    ),
    ("dispute.raise", "/disputes", None, "Owner or contractor raises a dispute, freezing those releases"),
    (
        "dispute.decide",
        "/disputes/{number}/decision",
        "dispute",
        "The council's signed final decision, enforced through the bank",
    ),
    ("warranty.claim", "/warranty-claims", None, "Owner files a warranty claim against the retention"),
    (
        "warranty.withdraw",
        "/warranty-claims/{number}/withdrawal",
        "claim",
        "Owner withdraws a warranty claim once the defect is fixed",
    ),
]


def check_route(
    body: SignedStepIn, action: str, process: Process, subject_id: str, field: str | None, number: int | None
) -> None:
    envelope = body.envelope
    if envelope.get("action") != action:
        raise ApiError(422, "action_mismatch", f"this endpoint takes '{action}' envelopes")
    if envelope.get("subject") != subject_id:
        raise ApiError(422, "subject_mismatch", f"the envelope is not for {process.noun} {subject_id}")
    payload = envelope.get("payload")
    if field is not None and (not isinstance(payload, dict) or payload.get(field) != number):
        raise ApiError(422, "path_mismatch", f"the payload's '{field}' must be {number}, as in the path")
    try:
        size = len(canonical_json(envelope))
    except (TypeError, ValueError, RecursionError):
        raise ApiError(
            422, "not_canonical", "envelopes carry no floats: amounts are integers in fen"
        ) from None
    if size > MAX_ENVELOPE_BYTES:
        raise ApiError(422, "envelope_too_large", f"an envelope is at most {MAX_ENVELOPE_BYTES} bytes")


def _endpoint(process: Process, action: str, field: str | None) -> Any:
    async def submit_step(
        subject_id: str, number: int | None, body: SignedStepIn, temporal: TemporalDep
    ) -> StepAccepted:
        check_route(body, action, process, subject_id, field, number)
        step = SignedStep(envelope=body.envelope, signature=body.signature)
        receipt = await execute(temporal, process, subject_id, process.submit_step, step)
        return StepAccepted(
            subject_id=subject_id,
            action=action,
            entry_hash=receipt.entry_hash,
            version=receipt.version,
            phase=receipt.phase,
        )

    if field is None:

        async def submit(subject_id: str, body: SignedStepIn, temporal: TemporalDep) -> StepAccepted:
            return await submit_step(subject_id, None, body, temporal)

        return submit

    async def submit_numbered(
        subject_id: str, number: int, body: SignedStepIn, temporal: TemporalDep
    ) -> StepAccepted:
        return await submit_step(subject_id, number, body, temporal)

    return submit_numbered


def register_step_routes(app: FastAPI, process: Process, prefix: str, steps: StepRoutes, tag: str) -> None:
    """A router built per app: routes added to a shared module-level router would pile up."""
    # No 401: the token is ignored, the signature is the authority.
    router = APIRouter(
        prefix=f"{prefix}/{{subject_id}}", tags=[tag], responses=error_responses(403, 404, 409, 503, 504)
    )
    for action, path, field, summary in steps:
        router.add_api_route(
            path,
            _endpoint(process, action, field),
            methods=["POST"],
            status_code=200,
            response_model=StepAccepted,
            summary=summary,
            name=f"{process.noun}:{action}",
            operation_id=f"{process.noun}_{action.replace('.', '_')}",
        )
    app.include_router(router)
