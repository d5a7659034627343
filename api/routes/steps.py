"""One endpoint per signed step. The body is the envelope as signed plus its signature.

The route checks only that the envelope is for this route (action, subject and
the numbers in the path) and that every file it names is in the evidence store
(api/evidence_named.py); who may sign what, and when, is the workflow's call,
made in its update validator so a refused step never enters history. The step goes with its
signer's stored key events (db/keys.py), against which the workflow checks the signature, and
the council as it is now (a member who joined after the process started signs as one), and
the key that signed an accepted step is marked used on the party's device list. Escrows
and dispute cases get their endpoints from the same code, each from its step
declarations (domain/escrow/steps.py, domain/case/steps.py): path, summary, and a
request body whose schema types the payload with the step's model, while the route
itself reads the envelope as a plain object so that every refusal keeps the code and
status the workflow gives it.
"""

import inspect
import logging
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, WrapValidator, create_model
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.deps import SessionDep, TemporalDep, release_connection
from api.errors import ApiError, error_responses
from api.evidence_named import require_uploaded
from api.gateway import Process, execute
from api.idempotency import BusinessKey, header_key, idempotency_header
from api.models import SignedStepIn, StepAccepted
from api.stale_timestamp import STALE_TIMESTAMP, stale_timestamp
from db import crud
from db.keys import council_keys, events_of, signing_key, touch
from db.models import Party, utcnow
from db.request_records import get_request_record, record_request
from domain.canonical import canonical_json
from domain.steps.signing import EnvelopeError, SignedStep, parse_envelope
from domain.steps.spec import StepSpec
from workflows.escrow_types import StepInput

log = logging.getLogger(__name__)
MAX_ENVELOPE_BYTES = 64 * 1024

StepFormKey = Annotated[
    str | None,
    idempotency_header(
        "a step form's key, drawn when the page showed the form (e.g. a warranty claim's): the same "
        "step signed again under it (a new nonce and time, as after going Back or reloading) answers "
        "200 with the first receipt and does nothing again; another step under the same key is "
        "refused with 409 idempotency_key_reused"
    ),
]


class SignedEnvelope(BaseModel):
    """What a party signs, as the OpenAPI document describes it for each step. Only described:
    the route reads the envelope as a plain object and the workflow checks it, so every refusal
    keeps the code and status it always had."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="the step's action, as in the path")
    subject: str = Field(min_length=1, description="the escrow or case id, as in the path")
    signer: str = Field(min_length=1, description="the signing party's id")
    nonce: str = Field(min_length=16, max_length=128, description="fresh for every step")
    timestamp: str = Field(min_length=1, description="ISO 8601 with a time zone")
    payload: dict[str, Any] = Field(description="the step's payload, typed per step")


def _as_sent(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validates as `dict[str, Any]` did; it is there to carry the envelope's schema."""
    return handler(value)


def step_body(spec: StepSpec[Any]) -> type[SignedStepIn]:
    """The request body of one step: `SignedStepIn`, whose envelope's schema names the action and
    types the payload with the step's model."""
    name = spec.payload.__name__
    envelope = create_model(
        f"{name}Envelope",
        __base__=SignedEnvelope,
        __doc__=f"A signed '{spec.action}' envelope.",
        action=(str, Field(json_schema_extra={"const": spec.action})),
        payload=(spec.payload, ...),
    )
    described = WrapValidator(_as_sent, json_schema_input_type=envelope)
    return create_model(
        f"{name}Step",
        __base__=SignedStepIn,
        __doc__=f"A signed '{spec.action}' step: {spec.summary}.",
        envelope=(
            Annotated[dict[str, Any], described],
            Field(description="the envelope exactly as signed (canonical JSON)"),
        ),
    )


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


def told_how_far_off(refusal: ApiError, step: SignedStep) -> ApiError:
    """A workflow's `stale_timestamp` retold with how far the envelope's timestamp is from the
    server's clock (api/stale_timestamp.py); any other refusal as it came."""
    if refusal.code != STALE_TIMESTAMP:
        return refusal
    try:
        timestamp = parse_envelope(step.envelope).timestamp
    except EnvelopeError:  # cannot be: the workflow parsed it before it looked at the time
        return refusal
    return stale_timestamp(timestamp)


def _endpoint(process: Process, spec: StepSpec[Any]) -> Any:
    action, field = spec.action, spec.path_field

    async def submit_step(
        subject_id: str,
        number: int | None,
        body: SignedStepIn,
        session: SessionDep,
        temporal: TemporalDep,
        form_key: str | None,
    ) -> StepAccepted:
        check_route(body, action, process, subject_id, field, number)
        require_uploaded(session, spec.payload, body.envelope.get("payload"))
        step = SignedStep(envelope=body.envelope, signature=body.signature)
        signer = body.envelope.get("signer")
        party = crud.get_party(session=session, party_id=signer) if isinstance(signer, str) else None
        key = None if party is None else _form_key(session, action, party, step, form_key)
        first = None if key is None else _first_receipt(session, key)
        if first is not None:
            return first
        keys = [] if party is None else events_of(session, party.id)
        councils = council_keys(session)  # a member who joined after the process started signs too
        release_connection(session)
        try:
            receipt = await execute(
                temporal, process, subject_id, process.submit_step, StepInput(step, keys, councils)
            )
        except ApiError as exc:
            raise told_how_far_off(exc, step) from None
        accepted = StepAccepted(
            subject_id=subject_id,
            action=action,
            entry_hash=receipt.entry_hash,
            version=receipt.version,
            phase=receipt.phase,
        )
        if key is not None:
            _record(session, key, step, accepted)
        if party is not None:
            mark_used(session, party, step)
        return accepted

    if field is None:

        async def submit(
            subject_id: str,
            body: SignedStepIn,
            session: SessionDep,
            temporal: TemporalDep,
            idempotency_key: StepFormKey = None,
        ) -> StepAccepted:
            return await submit_step(subject_id, None, body, session, temporal, idempotency_key)

        return with_body(submit, step_body(spec))

    async def submit_numbered(
        subject_id: str,
        number: int,
        body: SignedStepIn,
        session: SessionDep,
        temporal: TemporalDep,
        idempotency_key: StepFormKey = None,
    ) -> StepAccepted:
        return await submit_step(subject_id, number, body, session, temporal, idempotency_key)

    return with_body(submit_numbered, step_body(spec))


def _form_key(
    session: Session, action: str, party: Party, step: SignedStep, form_key: str | None
) -> BusinessKey | None:
    """The business key of a step form's key, for a step its signer really signed (else None: the
    workflow refuses a bad signature, and a stranger never reads or writes the signer's record).

    A step is signed afresh on every submit, so the key is matched on what the step says (the
    envelope without its nonce and timestamp), not on the bytes signed; as for a claim form.
    """
    if form_key is None or signing_key(session, party, step) is None:
        return None
    said = {name: value for name, value in step.envelope.items() if name not in ("nonce", "timestamp")}
    return header_key(f"step.{action}", party.id, form_key, said, "step")


def _first_receipt(session: Session, key: BusinessKey) -> StepAccepted | None:
    """The receipt the key's first step got, if one was recorded; 409 if it was for another step."""
    stored = get_request_record(session=session, scope=key.scope, party_id=key.party_id, key=key.key)
    if stored is None:
        return None
    if stored.request_hash != key.request_hash:
        raise key.reused
    return StepAccepted.model_validate_json(stored.answer_json)


def _record(session: Session, key: BusinessKey, step: SignedStep, accepted: StepAccepted) -> None:
    """Record an accepted step's receipt under its form's key, so the form sent again gets it.

    Recorded once the workflow accepted the step, so only a step that happened is ever answered
    again. Two submits of one form racing each other (not Back-and-submit, which is one after the
    other) could both reach the workflow before either is recorded: the button is off meanwhile.
    """
    try:
        record_request(
            session=session,
            scope=key.scope,
            party_id=key.party_id,
            key=key.key,
            request_hash=key.request_hash,
            answer_json=accepted.model_dump_json(),
            workflow_input_json=canonical_json(step.envelope).decode(),
        )
    except SQLAlchemyError:  # the step is applied: a lost record costs only a repeat's answer
        session.rollback()
        log.warning("the receipt of %s's %s was not recorded under its form key", key.party_id, key.scope)


def mark_used(session: Session, party: Party, step: SignedStep) -> None:
    """Stamp the key that signed an accepted step as used now (the workflow checked the same
    events, so it is found unless the party's keys changed in between: then nothing is stamped).

    The step is applied already: a database that fails here costs the stamp, never the answer
    (a 500 would tell the party its accepted step failed, and a retry would be `nonce_reused`)."""
    try:
        key = signing_key(session, party, step)
        if key is not None:
            touch(session, key, utcnow())
    except SQLAlchemyError:
        session.rollback()
        log.warning("the signing key of %s's accepted step was not stamped as used", party.id, exc_info=True)


def with_body(endpoint: Any, body: type[SignedStepIn]) -> Any:
    """The endpoint, declaring `body` as its request body (FastAPI reads the signature)."""
    signature = inspect.signature(endpoint)
    parameters = [
        p.replace(annotation=body) if p.name == "body" else p for p in signature.parameters.values()
    ]
    endpoint.__signature__ = signature.replace(parameters=parameters)
    return endpoint


def step_description(process: Process, spec: StepSpec[Any]) -> str:
    """One line on who signs the step and where it is checked, from its declaration."""
    signers = ", ".join(sorted(role.value for role in spec.roles))
    return (
        f"A '{spec.action}' envelope signed by the {signers}; the {process.noun} checks the signature, "
        "the signer's role and its own state before the step enters history."
    )


def register_step_routes(
    app: FastAPI, process: Process, prefix: str, steps: Sequence[StepSpec[Any]], tag: str
) -> None:
    """A router built per app: routes added to a shared module-level router would pile up."""
    # No 401: the token is ignored, the signature is the authority.
    router = APIRouter(
        prefix=f"{prefix}/{{subject_id}}", tags=[tag], responses=error_responses(403, 404, 409, 503, 504)
    )
    for spec in steps:
        if spec.path is None:
            continue  # the step reaches its process another way (see its declaration)
        router.add_api_route(
            spec.path,
            _endpoint(process, spec),
            methods=["POST"],
            status_code=200,
            response_model=StepAccepted,
            summary=spec.summary,
            description=step_description(process, spec),
            name=f"{process.noun}:{spec.action}",
            operation_id=f"{process.noun}_{spec.action.replace('.', '_')}",
        )
    app.include_router(router)
