"""Contracts and their state: create an escrow, read where it stands, export its trail."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from api.business_checks import require_verified
from api.deposit_instructions import deposit_instructions
from api.deps import (
    CurrentParty,
    Offset,
    SessionDep,
    SettingsDep,
    TemporalDep,
    get_current_party,
    release_connection,
)
from api.errors import ApiError, error_responses
from api.escrow_access import escrow_reader_role, read_escrow
from api.gateway import ESCROW, query, refused, start_once
from api.idempotency import IdempotencyKey, answer_once, header_key
from api.inspector_check import check_inspector
from api.models import (
    ContractCreate,
    ContractCreated,
    ContractPlan,
    DepositInstructions,
    EscrowAuditTrail,
    EscrowSummary,
    StageIn,
)
from db import crud
from db.models import EscrowProjection, Party
from domain.audit import EARLIER_ENTRIES, whole_trail
from domain.escrow.snapshot import EscrowSnapshot, read_summary
from domain.escrow.terms import (
    WATERPROOFING_WARRANTY_DAYS,
    ContractTerms,
    Durations,
    StagePlan,
    check_total,
    split_by_percent,
)
from domain.money import MAX_AMOUNT_FEN
from domain.roles import Role
from domain.steps.parties import PartyKey
from domain.steps.rejections import StepRejected
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import EscrowInput, escrow_workflow_id

router = APIRouter(prefix="/escrows", tags=["escrows"], responses=error_responses(401))
READ_ERRORS = error_responses(403, 404, 409, 503)

ESCROW_PARTY = SearchAttributeKey.for_keyword_list("EscrowParty")


def _named_party(session: Session, party_id: str, role: Role) -> Party:
    """The party a new contract names in `role`; a business must be verified (api/business_checks.py)."""
    party = crud.get_party(session=session, party_id=party_id)
    if party is None or party.role != role.value:
        raise ApiError(
            422,
            "unknown_party",
            f"{party_id} is not a registered {role.value}",
            params={"party_id": party_id},
            details={"field": f"{role.value}_id"},
        )
    require_verified(party)
    return party


def _standard_plan(total_fen: int, retention_fen: int | None) -> tuple[list[StagePlan], int]:
    """The default plan for a total (domain split_by_percent), refused when a stage gets nothing."""
    if retention_fen is not None and retention_fen >= total_fen:
        raise ApiError(422, "retention_too_large", "the retention must be less than the total")
    stages, retention = split_by_percent(total_fen, retention_fen)
    if any(stage.amount_fen == 0 for stage in stages):
        raise ApiError(
            422, "total_too_small", "this total leaves a stage of the default plan with nothing to pay"
        )
    return stages, retention


def _stage_plan(body: ContractCreate) -> tuple[list[StagePlan], int]:
    if body.stages is None:
        if body.total_fen is None:
            raise ApiError(422, "plan_required", "give either the stages or a total to split")
        return _standard_plan(body.total_fen, body.retention_fen)
    stages = [StagePlan(name=s.name, amount_fen=s.amount_fen) for s in body.stages]
    retention = body.retention_fen or 0
    total = sum(s.amount_fen for s in stages) + retention
    if body.total_fen is not None and body.total_fen != total:
        raise ApiError(422, "total_mismatch", "total_fen must equal the stages plus the retention")
    try:
        check_total(total)  # the model bounds each amount; the machine would refuse a larger sum
    except StepRejected as exc:
        raise refused(exc, 422) from None
    return stages, retention


def _durations(body: ContractCreate) -> Durations:
    if body.durations is not None:
        return Durations(**body.durations.model_dump())
    if body.includes_waterproofing:
        return Durations(warranty_days=WATERPROOFING_WARRANTY_DAYS)
    return Durations()


@router.get(
    "/standard-plan",
    response_model=ContractPlan,
    responses=error_responses(422),
    dependencies=[Depends(get_current_party)],
)
def standard_plan(
    total_fen: int = Query(gt=0, le=MAX_AMOUNT_FEN, description="the contract total to split, in fen"),
    retention_fen: int | None = Query(
        None, ge=0, le=MAX_AMOUNT_FEN, description="5% of the total unless given"
    ),
) -> ContractPlan:
    """The standard plan a contract without its own stages gets for this total: the stages and
    the retention exactly as `POST /escrows` would split it, for a form to start from."""
    stages, retention = _standard_plan(total_fen, retention_fen)
    return ContractPlan(
        stages=[StageIn(name=s.name, amount_fen=s.amount_fen) for s in stages],
        retention_fen=retention,
        total_fen=total_fen,
    )


@router.post("", status_code=201, response_model=ContractCreated, responses=error_responses(403, 409, 503))
async def create_contract(
    body: ContractCreate,
    party: CurrentParty,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> ContractCreated:
    """Draft a contract and start its escrow workflow; both sides then sign its terms hash.

    With an Idempotency-Key, asking again (same party, key and body) answers 201 with
    the first escrow, and starts its workflow if the first request could not.
    """
    if party.id not in (body.owner_id, body.contractor_id):
        raise ApiError(403, "not_a_signatory", "only the owner or the contractor may draft the contract")

    def draft() -> tuple[dict[str, Any], EscrowInput]:
        escrow = _escrow_input(session, body, settings.signature_max_skew_seconds)
        terms = escrow.terms
        answer = ContractCreated(
            escrow_id=terms.escrow_id, terms=asdict(terms), terms_hash=terms.terms_hash()
        )
        return answer.model_dump(mode="json"), escrow

    key = header_key("escrow.create", party.id, idempotency_key, body.model_dump(mode="json"), "contract")
    first = answer_once(session, key=key, input_type=EscrowInput, create=draft)
    release_connection(session)
    await _start(temporal, settings.temporal_task_queue, first.workflow_input)
    return ContractCreated.model_validate(first.answer)


def _escrow_input(session: Session, body: ContractCreate, max_skew_seconds: int) -> EscrowInput:
    owner = _named_party(session, body.owner_id, Role.OWNER)
    contractor = _named_party(session, body.contractor_id, Role.CONTRACTOR)
    inspector = _named_party(session, body.inspector_id, Role.INSPECTOR)
    check_inspector(session, inspector, contractor, datetime.now(UTC).date())
    stages, retention = _stage_plan(body)
    councils = crud.list_parties_by_role(session=session, role=Role.COUNCIL.value)
    terms = ContractTerms(
        escrow_id=crud.next_escrow_id(session=session, year=datetime.now(UTC).year),
        title=body.title,
        owner=PartyKey(owner.id, owner.public_key),
        contractor=PartyKey(contractor.id, contractor.public_key),
        inspector=PartyKey(inspector.id, inspector.public_key),
        stages=stages,
        retention_fen=retention,
        silence_policy=body.silence_policy,
        durations=_durations(body),
    )
    council_keys = {c.id: c.public_key for c in councils}
    return EscrowInput(terms=terms, council_keys=council_keys, max_skew_seconds=max_skew_seconds)


async def _start(client: Client, task_queue: str, escrow: EscrowInput) -> None:
    terms = escrow.terms
    parties = [terms.owner.party_id, terms.contractor.party_id, terms.inspector.party_id]
    await start_once(
        client,
        EscrowWorkflow.run,
        escrow,
        workflow_id=escrow_workflow_id(terms.escrow_id),
        task_queue=task_queue,
        search_attributes=TypedSearchAttributes([SearchAttributePair(ESCROW_PARTY, parties)]),
    )


@router.get("", response_model=list[EscrowSummary])
def list_my_escrows(
    party: CurrentParty,
    session: SessionDep,
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
) -> list[EscrowSummary]:
    """The escrows this party is named in, newest first (from the read model), each with its title
    and saying whether it waits for this party (by the open actions of the stored snapshot)."""
    rows = crud.list_escrows_for_party(session=session, party_id=party.id, limit=limit, offset=offset)
    return [summary_of(row, party.id) for row in rows]


def summary_of(row: EscrowProjection, party_id: str) -> EscrowSummary:
    """A stored escrow as listed: its figures, its title and whether it waits for the reader, read
    from the stored snapshot."""
    snapshot = read_summary(row.summary_json)
    return EscrowSummary.model_validate(row, from_attributes=True).model_copy(
        update={"title": snapshot.title, "waiting_for_you": snapshot.waits_for(party_id)}
    )


@router.get("/{escrow_id}", response_model=EscrowSnapshot, responses=READ_ERRORS)
async def get_escrow(escrow_id: str, party: CurrentParty, temporal: TemporalDep) -> EscrowSnapshot:
    """Where the escrow stands, straight from its workflow, with its ledger."""
    snapshot, _ = await read_escrow(temporal, escrow_id, party)
    return snapshot


@router.get("/{escrow_id}/deposit-instructions", response_model=DepositInstructions, responses=READ_ERRORS)
async def get_deposit_instructions(
    escrow_id: str, party: CurrentParty, temporal: TemporalDep, settings: SettingsDep
) -> DepositInstructions:
    """Which bank and account the owner pays into, and how much is still due.

    A client that knows only the API (`escrow demo --api-url`) learns the bank here.
    """
    snapshot, _ = await read_escrow(temporal, escrow_id, party)
    return deposit_instructions(snapshot, settings)


@router.get("/{escrow_id}/audit", response_model=EscrowAuditTrail, responses=READ_ERRORS)
async def export_audit_trail(
    escrow_id: str, party: CurrentParty, temporal: TemporalDep, session: SessionDep
) -> EscrowAuditTrail:
    """The hash-chained trail of signed steps, verifiable offline with `escrow audit --verify`.

    The whole life: once the escrow continued as new into its warranty, the earlier run's
    entries come from the audit log (domain.audit.whole_trail)."""
    exported = await query(temporal, ESCROW, escrow_id, EscrowWorkflow.audit_trail)
    terms = exported["terms"]
    escrow_reader_role(
        party,
        owner_id=terms["owner"]["party_id"],
        contractor_id=terms["contractor"]["party_id"],
        inspector_id=terms["inspector"]["party_id"],
    )
    stored = crud.stored_trail(session=session, subject_id=escrow_id) if exported[EARLIER_ENTRIES] else []
    return EscrowAuditTrail.model_validate(whole_trail(exported, stored))
