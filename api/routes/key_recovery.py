"""Recovering a party that lost every key: the request, the council's check and two signatures,
the waiting period and its cancellation (docs/RECOVERY.md walks it as a clerk does).

- `POST /key-recoveries`: the new device asks, with its own signed `key.pair` for the party. No
  token (the person has none left); the pairing proves only that the device holds the new key,
  so it is rate limited like registration (ESCROW_RATE_LIMIT_RECOVERY) and binds nothing.
- `POST .../identity-check`: a council member (token) records what was checked in person; the
  document's number is kept only as a keyed hash.
- `POST .../approval` and `POST .../binding`: the signatures are the authority, as for steps: a
  council member's `key.recover.approve`, then ANOTHER member's `key.recover` over it (the rules
  are domain/keys.py's, checked here against the party's ring but for the waiting period), which
  starts the workflow `key-recovery-{id}` (workflows/key_recovery.py) that waits the period.
- `POST .../cancellation`: a `key.recover.cancel` signed by any key the party still holds
  (db.keys.signing_key), while the period runs.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.key_recovery_types import RecoveryCancel, RecoveryInput
from api.deps import CurrentParty, SessionDep, SettingsDep, TemporalDep, release_connection
from api.errors import ApiError, error_responses
from api.gateway import refused, start_once
from api.key_recovery_models import (
    IdentityCheckCreate,
    RecoveryCouncilPublic,
    RecoveryPublic,
    RecoveryRequestCreate,
    RecoveryState,
)
from api.models import SignedStepIn
from config.settings import Settings
from db import crud, keys
from db import key_recovery as requests
from db.models import KeyRecoveryRecord, Party
from domain.keys import KEY_PAIR, KEY_RECOVER_CANCEL, KeyPair, check_approval, check_recovery, key_id
from domain.roles import Role
from domain.steps.payload_errors import read_payload
from domain.steps.rejections import StepRejected
from domain.steps.signing import Envelope, EnvelopeError, SignedStep, parse_envelope, signature_is_valid
from workflows.key_recovery import KeyRecoveryWorkflow, key_recovery_workflow_id

router = APIRouter(prefix="/key-recoveries", tags=["key recovery"])

# A stranger may ask for any party; more open requests than this for one party wait for the
# council to close some, so nobody can bury a party's desk entry under fakes.
MAX_OPEN_REQUESTS = 3
STAFF_ROLES = frozenset({Role.COUNCIL.value, Role.BANK.value})


def require_council(party: CurrentParty) -> Party:
    if party.role != Role.COUNCIL.value:
        raise ApiError(403, "council_only", "only a council member records an identity check")
    return party


CouncilMember = Annotated[Party, Depends(require_council)]


def public(row: KeyRecoveryRecord) -> RecoveryPublic:
    return RecoveryPublic(
        request_id=row.id,
        party_id=row.party_id,
        label=row.label,
        key_id=key_id(row.public_key),
        state=row.state,  # type: ignore[arg-type]
        requested_at=row.requested_at,
        effective_at=row.effective_at,
        closed_at=row.closed_at,
    )


def council_view(row: KeyRecoveryRecord, settings: Settings) -> RecoveryCouncilPublic:
    return RecoveryCouncilPublic(
        **public(row).model_dump(),
        public_key=row.public_key,
        waiting_hours=settings.recovery_waiting_hours,
        document_kind=row.document_kind,
        photo_matched=row.photo_matched,
        name_matched=row.name_matched,
        check_notes=row.check_notes,
        checked_by=row.checked_by,
        checked_at=row.checked_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        bound_by=row.bound_by,
        cancelled_by_key=row.cancelled_by_key,
        failure=row.failure,
    )


def _envelope(step: SignedStep) -> Envelope:
    try:
        return parse_envelope(step.envelope)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_envelope", str(exc)) from None


def _fresh(envelope: Envelope, settings: Settings) -> None:
    """Signed just now: the binding's time starts the waiting period, so it may not be old."""
    if abs(envelope.timestamp - datetime.now(UTC)) > timedelta(seconds=settings.signature_max_skew_seconds):
        raise ApiError(409, "stale_timestamp", "the envelope's timestamp is too far from now: sign it again")


def _request(session: Session, request_id: str) -> KeyRecoveryRecord:
    row = requests.get_request(session=session, request_id=request_id)
    if row is None:
        raise ApiError(404, "recovery_not_found", f"there is no key recovery {request_id!r}")
    return row


def _moved(exc: requests.StateChanged, wanted: str) -> ApiError:
    return ApiError(409, "recovery_state", f"the recovery is {exc.state}; this step needs it {wanted}")


def _step(body: SignedStepIn) -> SignedStep:
    return SignedStep(envelope=body.envelope, signature=body.signature)


@router.post(
    "", status_code=201, response_model=RecoveryPublic, responses=error_responses(403, 404, 409, 429)
)
def request_recovery(
    body: RecoveryRequestCreate, session: SessionDep, settings: SettingsDep
) -> RecoveryPublic:
    """Ask the council to bind this new device's key to a party that lost every key. The answer's
    `request_id` is what the person shows at the council's desk. 403 `no_possession` when the
    pairing is not the new key's own signature for this party; 409 `public_key_taken`,
    `too_many_recoveries`, `recovery_not_for_staff` (council members and bank staff enrol again)."""
    pairing = _step(body.pairing)
    envelope = _envelope(pairing)
    if envelope.action != KEY_PAIR:
        raise ApiError(422, "action_mismatch", f"the pairing is a '{KEY_PAIR}' envelope")
    try:
        pair = read_payload(KeyPair, envelope.payload)
    except StepRejected as exc:
        raise refused(exc) from None
    if (
        envelope.subject != body.party_id
        or envelope.signer != body.party_id
        or not signature_is_valid(pair.public_key, pairing)
    ):
        raise ApiError(403, "no_possession", "the pairing must be signed by the new key, for this party")
    _fresh(envelope, settings)
    party = crud.get_party(session=session, party_id=body.party_id)
    if party is None:
        raise ApiError(
            404,
            "party_not_found",
            f"there is no party {body.party_id!r}",
            params={"party_id": body.party_id},
            details={"field": "party_id"},
        )
    if party.role in STAFF_ROLES:
        raise ApiError(409, "recovery_not_for_staff", "council members and bank staff enrol again instead")
    if keys.key_taken(session, pair.public_key):
        raise ApiError(409, "public_key_taken", "this key is, or was, a party's key: make a new one")
    if len(requests.list_requests(session=session, states=requests.OPEN_STATES, party_id=party.id)) >= (
        MAX_OPEN_REQUESTS
    ):
        raise ApiError(
            409, "too_many_recoveries", "this party has open recovery requests: ask the council about them"
        )
    row = requests.create_request(
        session=session, party_id=party.id, pairing=pairing, pair=pair, now=datetime.now(UTC)
    )
    return public(row)


@router.get("", response_model=list[RecoveryCouncilPublic], responses=error_responses(401, 403))
def list_recoveries(
    member: CouncilMember,
    session: SessionDep,
    settings: SettingsDep,
    state: Annotated[list[RecoveryState] | None, Query(description="only these states")] = None,
    party_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RecoveryCouncilPublic]:
    """The council's list, newest first (the 100 newest that match)."""
    found = requests.list_requests(session=session, states=state or requests.STATES, party_id=party_id)
    return [council_view(row, settings) for row in found]


@router.get("/{request_id}", response_model=RecoveryPublic, responses=error_responses(404))
def read_recovery(request_id: str, session: SessionDep) -> RecoveryPublic:
    """Where a request stands, for whoever holds its id (the new device's page): no sign-in, and
    nothing the council recorded about the person."""
    return public(_request(session, request_id))


@router.post(
    "/{request_id}/identity-check",
    response_model=RecoveryCouncilPublic,
    responses=error_responses(401, 403, 404, 409),
)
def record_identity_check(
    request_id: str,
    body: IdentityCheckCreate,
    member: CouncilMember,
    session: SessionDep,
    settings: SettingsDep,
) -> RecoveryCouncilPublic:
    """Record what the member checked in person (again, until a member approves). 409
    `recovery_state` once approved."""
    _request(session, request_id)
    check = requests.IdentityCheck(
        document_kind=body.document_kind,
        document_hash=requests.document_hash(
            settings.id_number_secret.get_secret_value(), body.document_kind, body.document_number
        ),
        photo_matched=body.photo_matched,
        name_matched=body.name_matched,
        notes=body.notes,
        checked_by=member.id,
        checked_at=datetime.now(UTC),
    )
    try:
        row = requests.record_check(session=session, request_id=request_id, check=check)
    except requests.StateChanged as exc:
        raise _moved(exc, "requested or checked") from None
    return council_view(row, settings)


@router.post(
    "/{request_id}/approval", response_model=RecoveryPublic, responses=error_responses(403, 404, 409)
)
def approve_recovery(
    request_id: str, body: SignedStepIn, session: SessionDep, settings: SettingsDep
) -> RecoveryPublic:
    """The first council member's signed `key.recover.approve` (subject: the party; payload: the
    new key, this request, the waiting hours). 409 `identity_not_checked` before a check that saw
    both the photo and the name match; 422 `terms_mismatch` for another key, request or period."""
    row = _request(session, request_id)
    step = _step(body)
    try:
        terms = check_approval(step, row.party_id, keys.council_keys(session))
    except StepRejected as exc:
        raise refused(exc) from None
    _fresh(_envelope(step), settings)
    if row.state not in (requests.REQUESTED, requests.CHECKED):
        raise ApiError(409, "recovery_state", f"the recovery is {row.state}; it is approved once")
    if not (row.photo_matched and row.name_matched):
        raise ApiError(
            409, "identity_not_checked", "record an identity check that matched the photo and the name first"
        )
    if (terms.public_key, terms.request, terms.waiting_hours) != (
        row.public_key,
        row.id,
        settings.recovery_waiting_hours,
    ):
        raise ApiError(422, "terms_mismatch", "approve this request's key with the council's waiting period")
    member = _envelope(step).signer
    try:
        row = requests.record_approval(
            session=session, request_id=request_id, approval=step, member=member, at=datetime.now(UTC)
        )
    except requests.StateChanged as exc:
        raise _moved(exc, "checked") from None
    return public(row)


@router.post(
    "/{request_id}/binding", response_model=RecoveryPublic, responses=error_responses(403, 404, 409, 503)
)
async def bind_recovery(
    request_id: str, body: SignedStepIn, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> RecoveryPublic:
    """The second council member's signed `key.recover` over the first one's approval and the new
    key's pairing, as recorded for this request. The waiting period starts: the party's channels
    are told at once, and the recovery takes effect at `effective_at` unless a surviving key
    cancels it. 403 `one_council_member` when the approver signs again; sending the same binding
    again starts nothing twice."""
    row = _request(session, request_id)
    party = crud.get_party(session=session, party_id=row.party_id)
    assert party is not None  # a request names a party (foreign key)
    step = _step(body)
    try:
        terms = check_recovery(keys.ring_of(session, party), step, keys.council_keys(session))
    except StepRejected as exc:
        raise refused(exc) from None
    _fresh(_envelope(step), settings)
    stored = requests.stored_step(step)
    if row.state == requests.WAITING and row.binding == stored:
        pass  # the same binding again: make sure its workflow runs (start_once)
    elif row.state != requests.APPROVED:
        raise ApiError(409, "not_approved", f"the recovery is {row.state}: a member approves it first")
    elif _nested(step, "approval") != row.approval or _nested(step, "possession") != row.pairing:
        raise ApiError(422, "terms_mismatch", "bind this request's approval and its new key's pairing")
    else:
        try:
            row = requests.record_binding(
                session=session,
                request_id=request_id,
                binding=step,
                member=terms.signer,
                effective_at=terms.effective_at,
            )
        except requests.StateChanged as exc:
            raise _moved(exc, "approved") from None
    release_connection(session)
    await start_once(
        temporal,
        KeyRecoveryWorkflow.run,
        RecoveryInput(row.id, row.party_id, terms.effective_at.isoformat()),
        workflow_id=key_recovery_workflow_id(row.id),
        task_queue=settings.temporal_task_queue,
    )
    return public(row)


def _nested(step: SignedStep, name: str) -> str:
    nested: dict[str, Any] = step.envelope["payload"][name]
    return requests.stored_step(SignedStep(envelope=nested["envelope"], signature=nested["signature"]))


@router.post(
    "/{request_id}/cancellation",
    response_model=RecoveryPublic,
    responses=error_responses(403, 404, 409, 503),
)
async def cancel_recovery(
    request_id: str, body: SignedStepIn, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> RecoveryPublic:
    """Cancel a recovery during its waiting period with a key the party still holds: a
    `key.recover.cancel` envelope (subject and signer: the party; payload: {request}). 403
    `not_the_party`, `bad_signature` (no active key of the party signed it); 409 `recovery_state`
    when it is not waiting (not yet signed by both members, or its period is over)."""
    row = _request(session, request_id)
    step = _step(body)
    envelope = _envelope(step)
    if envelope.action != KEY_RECOVER_CANCEL:
        raise ApiError(422, "action_mismatch", f"this takes a '{KEY_RECOVER_CANCEL}' envelope")
    if envelope.signer != row.party_id or envelope.subject != row.party_id:
        raise ApiError(403, "not_the_party", "only the party's own keys cancel its recovery")
    party = crud.get_party(session=session, party_id=row.party_id)
    assert party is not None
    held = keys.signing_key(session, party, step)
    if held is None:
        raise ApiError(403, "bad_signature", "the envelope must be signed by a key the party holds")
    if set(envelope.payload) != {"request"}:
        raise ApiError(422, "unknown_fields", "a cancellation's payload is exactly {request}")
    if envelope.payload["request"] != row.id:
        raise ApiError(422, "terms_mismatch", "this cancellation names another request")
    _fresh(envelope, settings)
    if row.state != requests.WAITING:
        raise ApiError(409, "recovery_state", f"the recovery is {row.state}, not waiting: nothing to cancel")
    key = held.id
    release_connection(session)
    handle = temporal.get_workflow_handle_for(KeyRecoveryWorkflow.run, key_recovery_workflow_id(row.id))
    try:
        status = await handle.execute_update(KeyRecoveryWorkflow.cancel, RecoveryCancel(key))
    except WorkflowUpdateFailedError:
        raise ApiError(
            409, "recovery_state", "the waiting period is over: the recovery was applied"
        ) from None
    except RPCError:
        raise ApiError(
            503, "temporal_unavailable", "the workflow service did not answer; try again"
        ) from None
    # The workflow took the cancellation (its own activity closes the request too, to the same
    # state): closed here as well, so a page reloaded on this answer reads it cancelled.
    row = requests.close(
        session=session,
        request_id=row.id,
        state=status.state,
        at=datetime.now(UTC),
        cancelled_by_key=status.cancelled_by_key,
    )
    return public(row)
