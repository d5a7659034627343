"""Dispute cases: filing a signed claim, reading a case, and the record of its draws.

A claim is itself a signed envelope (`claim.file`, subject: the respondent's party
id) whose payload is the whole claim; the case's terms are read from that payload
and its hash anchors the case's trail, so nothing filed can differ from what the
claimant signed. A party's organisation, for the draw's conflict check, is its
party id: experts list the parties they worked or were paid for.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from sqlmodel import Session
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.business_checks import require_verified
from api.case_access import require_case_reader
from api.case_escrow import CaseEscrowView, read_case_escrow
from api.case_models import CaseFiled, CaseOutcomeSummary, CaseSummary
from api.deps import CurrentParty, Offset, SessionDep, SettingsDep, TemporalDep, release_connection
from api.errors import ApiError, error_responses
from api.evidence_named import require_uploaded
from api.gateway import CASE, ESCROW, execute, not_reachable, query, refused, start_once
from api.idempotency import BusinessKey, FirstAnswer, IdempotencyKey, answer_once, header_key
from api.models import SignedStepIn
from api.stale_timestamp import require_fresh
from config.settings import Settings
from db import cases, crud, evidence, keys
from db.models import CaseProjection, Party, PartyKeyRecord, utcnow
from domain.calendar import SHANGHAI
from domain.canonical import content_hash
from domain.case.draws import DrawEntry
from domain.case.snapshot import CaseSnapshot, read_case_snapshot
from domain.case.state import CasePhase
from domain.case.steps import ClaimFile
from domain.case.terms import CAR, RENOVATION, CaseTerms, ClaimItem
from domain.roles import Role
from domain.steps.files import files_in_raw
from domain.steps.parties import PartyKey
from domain.steps.payload_errors import read_payload
from domain.steps.payloads import choice, read_integer
from domain.steps.rejections import StepRejected
from domain.steps.signing import EnvelopeError, SignedStep, parse_envelope
from expert_panels.car_claim import car_facts_from_claim
from expert_panels.car_remedy import InvalidCarFacts
from expert_panels.registry import SPECIALTIES
from workflows.case import CaseWorkflow
from workflows.case_types import CaseInput, case_workflow_id
from workflows.escrow import EscrowWorkflow

router = APIRouter(prefix="/cases", tags=["dispute cases"], responses=error_responses(401))
READ_ERRORS = error_responses(403, 404, 409, 503)
# The business-key scope a claim is recorded under, with the case's input (web/case_reads.py reads it).
CLAIM_SCOPE = "case.file"
FORM_SCOPE = "case.file.form"

SIDES = {RENOVATION: {Role.OWNER.value, Role.CONTRACTOR.value}, CAR: {Role.BUYER.value, Role.DEALER.value}}


def _claim_terms(claim: ClaimFile) -> dict[str, Any]:
    domain = claim.domain
    items = claim.items
    if not 1 <= len(items) <= 20:
        raise ApiError(422, "items_required", "a claim lists 1 to 20 items for the panel to decide")
    return {
        "domain": domain,
        "main_specialty": choice(claim.main_specialty, "main_specialty", set(SPECIALTIES[domain])),
        "items": [ClaimItem(i.item_id, i.description) for i in items],
        "disputed_fen": claim.disputed_fen,
        "remedy_sought": claim.remedy_sought,
        "car_facts": _car_facts(claim, domain),
        "evidence": list(claim.evidence),
        "known_since": _known_since(claim),
    }


def _known_since(claim: ClaimFile) -> str | None:
    """The day the claimant knew or should have known of the harm: a date not after today. A claim
    more than three years later is flagged for the council (SAMR Order No. 20 art. 15(4)), not refused."""
    raw = claim.known_since
    if raw is None:
        return None
    try:
        known = date.fromisoformat(raw)
    except ValueError:
        known = None
    if known is None or len(raw) != 10 or known > datetime.now(SHANGHAI).date():
        raise ApiError(422, "invalid_known_since", "known_since is a date (YYYY-MM-DD), not after today")
    return raw


def _car_facts(claim: ClaimFile, domain: str) -> dict[str, Any] | None:
    """A car claim may state its facts, so the panel is shown what the regulation gives on them."""
    raw = claim.car_facts
    if raw is None:
        return None
    if domain != CAR:
        raise ApiError(422, "car_facts_for_cars_only", "only a car claim states car facts")
    try:
        car_facts_from_claim(raw)
    except InvalidCarFacts as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    return raw


def _verified_claim(
    session: Session, body: SignedStepIn, claimant: Party
) -> tuple[SignedStep, Any, PartyKeyRecord]:
    """The claim signed by a key the claimant holds now (any of its devices), and that key."""
    step = SignedStep(envelope=body.envelope, signature=body.signature)
    try:
        envelope = parse_envelope(step.envelope)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_envelope", str(exc)) from None
    if envelope.action != "claim.file":
        raise ApiError(422, "action_mismatch", "a case is filed with a 'claim.file' envelope")
    key = keys.signing_key(session, claimant, step) if envelope.signer == claimant.id else None
    if key is None:
        raise ApiError(403, "bad_signature", "the claim must be signed by a key the filing party holds")
    return step, envelope, key


@router.post(
    "", status_code=201, response_model=CaseFiled, responses=error_responses(403, 404, 409, 503, 504)
)
async def file_case(
    body: SignedStepIn,
    party: CurrentParty,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseFiled:
    """File a dispute: the council then accepts or rejects it within 7 working days.

    The claim's nonce is its key: the same signed claim filed again answers 201 with the
    first case (its timestamp is not re-checked: it is the claim already accepted), and
    another claim under the same nonce is refused with 409 nonce_reused.

    With an Idempotency-Key (a claim form's, drawn when the page was rendered), the same claim
    signed again (a new nonce and time, as after going Back to the form) answers 201 with the
    case that key first made; another claim under that key is 409 idempotency_key_reused.
    """
    step, envelope, signing_key = _verified_claim(session, body, party)
    claim_hash = content_hash(step.envelope)

    def file_once() -> FirstAnswer[CaseInput]:
        return answer_once(
            session,
            key=BusinessKey(
                scope=CLAIM_SCOPE,
                party_id=party.id,
                key=envelope.nonce,
                request_hash=claim_hash,
                reused=ApiError(
                    409,
                    "nonce_reused",
                    "this nonce was already used for another claim: sign it with a fresh nonce",
                ),
            ),
            input_type=CaseInput,
            create=lambda: _new_case(session, settings, party, envelope, claim_hash),
        )

    if idempotency_key is None:
        first = file_once()
    else:
        first = _once_per_form(session, party, idempotency_key, step, file_once)
    case = first.workflow_input
    # The claim anchors the case's trail rather than being an entry of it: its files are
    # referenced here, as entry 0, once the case has its id.
    evidence.record_refs(
        session=session,
        subject_id=case.terms.case_id,
        refs=[
            {"digest": d, "seq": 0, "action": "claim.file", "signer_id": party.id}
            for d in files_in_raw(ClaimFile, envelope.payload)
        ],
    )
    release_connection(session)
    if case.terms.escrow_id:  # the escrow checks the dispute and starts the case as its child
        await _open_escrow_case(temporal, case, case.terms.escrow_id, repeated=first.repeated)
    else:
        await start_once(
            temporal,
            CaseWorkflow.run,
            case,
            workflow_id=case_workflow_id(case.terms.case_id),
            task_queue=settings.temporal_task_queue,
        )
    keys.touch(session, signing_key, utcnow())  # once filed: a refused claim changes nothing
    return CaseFiled.model_validate(first.answer)


def _once_per_form(
    session: Session,
    party: Party,
    form_key: str,
    step: SignedStep,
    file_once: Callable[[], FirstAnswer[CaseInput]],
) -> FirstAnswer[CaseInput]:
    """The case a claim form's key first made, or `file_once()`'s, recorded under that key too.

    A claim is signed afresh on every submit, so the form's key is matched on what the claim
    says (the envelope without its nonce and timestamp), not on the bytes signed.
    """
    filed: list[FirstAnswer[CaseInput]] = []

    def create() -> tuple[dict[str, Any], CaseInput]:
        filed.append(file_once())
        return filed[0].answer, filed[0].workflow_input

    said = {name: value for name, value in step.envelope.items() if name not in ("nonce", "timestamp")}
    key = header_key(FORM_SCOPE, party.id, form_key, said, "claim")
    first = answer_once(session, key=key, input_type=CaseInput, create=create)
    repeated = first.repeated or any(answer.repeated for answer in filed)
    return FirstAnswer(first.answer, first.workflow_input, repeated=repeated)


def _new_case(
    session: Session, settings: Settings, party: Party, envelope: Any, claim_hash: str
) -> tuple[dict[str, Any], CaseInput]:
    require_fresh(envelope.timestamp, settings.signature_max_skew_seconds, what="claim")
    respondent = crud.get_party(session=session, party_id=envelope.subject)
    try:
        claim = read_payload(ClaimFile, envelope.payload)
        terms = _claim_terms(claim)
        escrow_id = claim.escrow_id
        escrow_dispute = (
            read_integer(claim.escrow_dispute, "escrow_dispute", minimum=1) if escrow_id else None
        )
    except StepRejected as exc:
        raise refused(exc, 422) from None
    sides = SIDES[terms["domain"]]
    if respondent is None or respondent.id == party.id or {party.role, respondent.role} != sides:
        between = " and a ".join(sorted(sides))
        raise ApiError(422, "wrong_parties", f"a {terms['domain']} case is between a {between}")
    if not escrow_id:
        # A case on an escrow answers a contractor the contract already named (verified then);
        # a revoked verification must not stop an owner's dispute on a running contract.
        require_verified(respondent)
    # Checked once the claim itself is sound, so a claim wrong in itself is told what is wrong.
    require_uploaded(session, ClaimFile, envelope.payload)
    councils = crud.list_parties_by_role(session=session, role=Role.COUNCIL.value)
    case_id = crud.next_id(session=session, prefix="CASE", year=datetime.now(UTC).year)
    case_terms = CaseTerms(
        case_id=case_id,
        claimant=PartyKey(party.id, party.public_key),
        respondent=PartyKey(respondent.id, respondent.public_key),
        claimant_org=party.id,
        respondent_org=respondent.id,
        claim_hash=claim_hash,
        escrow_id=escrow_id,
        escrow_dispute=escrow_dispute,
        **terms,
    )
    case = CaseInput(
        terms=case_terms,
        council_keys={c.id: c.public_key for c in councils},
        calendar=settings.work_calendar(datetime.now(SHANGHAI).year).document(),
        max_skew_seconds=settings.signature_max_skew_seconds,
    )
    return CaseFiled(case_id=case_id, claim_hash=claim_hash).model_dump(mode="json"), case


async def _open_escrow_case(temporal: Client, case: CaseInput, escrow_id: str, *, repeated: bool) -> None:
    """Ask the escrow to open the case, unless a repeat finds the case already started.

    The escrow's update returns only once the case workflow has started, so a case
    workflow under the recorded id means the first request's update landed; asking the
    escrow again would be refused (`case_already_filed`) for that very case.
    """
    if repeated:
        try:
            await temporal.get_workflow_handle(case_workflow_id(case.terms.case_id)).describe()
            return
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise not_reachable(exc, CASE, case.terms.case_id) from None
    await execute(temporal, ESCROW, escrow_id, EscrowWorkflow.open_case, case)


def _case_summary(row: CaseProjection, party: Party) -> CaseSummary:
    outcome = None
    if row.outcome is not None:
        outcome = CaseOutcomeSummary(
            kind=row.outcome, pay_fen=row.pay_fen, refund_fen=row.refund_fen, remedy=row.remedy
        )
    waiting = bool(read_case_snapshot(row.summary_json).waiting_for(party.id, party.role))
    return CaseSummary.model_validate(row.model_dump() | {"outcome": outcome, "waiting_for_you": waiting})


@router.get("", response_model=list[CaseSummary])
def list_cases(
    party: CurrentParty,
    session: SessionDep,
    phase: CasePhase | None = None,
    domain: Literal["renovation", "car"] | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
) -> list[CaseSummary]:
    """Cases newest first, from the read model: all for the council, else those the party is a side of."""
    party_id = None if party.role == Role.COUNCIL.value else party.id
    rows = cases.list_cases(
        session=session,
        party_id=party_id,
        phase=phase.value if phase else None,
        domain=domain,
        limit=limit,
        offset=offset,
    )
    return [_case_summary(row, party) for row in rows]


@router.get("/{case_id}", response_model=CaseSnapshot, responses=READ_ERRORS)
async def get_case(case_id: str, party: CurrentParty, temporal: TemporalDep) -> CaseSnapshot:
    """Where the case stands, straight from its workflow."""
    case: CaseSnapshot = await query(temporal, CASE, case_id, CaseWorkflow.snapshot)
    require_case_reader(party, case)
    return case


@router.get("/{case_id}/draws", response_model=list[DrawEntry], responses=READ_ERRORS)
async def get_draws(case_id: str, party: CurrentParty, temporal: TemporalDep) -> list[DrawEntry]:
    """Every panel draw of the case with its seed, candidates and exclusions, for its parties to re-run.

    A draw given up because a seat found no alternate comes with `abandoned` (the seat, why
    its holder left, why no alternate could take it). A round's latest attempt that could
    seat nobody comes with `failed` (how many attempts, the last when); its record names
    the shortfall (`problem`) and every exclusion, and re-runs to the same shortfall.

    The records name candidates and why they were excluded (who worked for whom), so
    they are shown to the same people as the case itself.
    """
    require_case_reader(party, await query(temporal, CASE, case_id, CaseWorkflow.snapshot))
    draws: list[DrawEntry] = await query(temporal, CASE, case_id, CaseWorkflow.draw_records)
    return draws


@router.get("/{case_id}/escrow", response_model=CaseEscrowView, responses=READ_ERRORS)
async def get_case_escrow(case_id: str, party: CurrentParty, temporal: TemporalDep) -> CaseEscrowView:
    """The escrow the case decides on, read-only: its stages with their inspection evidence,
    reports and defects, its change orders and the disputed dispute (api/case_access.py's
    readers, and every expert seated on any of the case's panels; see api/case_escrow.py).
    A case about no escrow answers 404 `no_escrow`."""
    case: CaseSnapshot = await query(temporal, CASE, case_id, CaseWorkflow.snapshot)
    return await read_case_escrow(temporal, party, case)
