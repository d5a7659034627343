"""Dispute cases: filing a signed claim, reading a case, and the record of its draws.

A claim is itself a signed envelope (`claim.file`, subject: the respondent's party
id) whose payload is the whole claim; the case's terms are read from that payload
and its hash anchors the case's trail, so nothing filed can differ from what the
claimant signed. A party's organisation, for the draw's conflict check, is its
party id: experts list the parties they worked or were paid for.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Query

from api.case_models import CaseOutcomeSummary, CaseSummary
from api.deps import CurrentParty, Offset, SessionDep, SettingsDep, TemporalDep, release_connection
from api.errors import ApiError
from api.gateway import CASE, ESCROW, execute, query
from api.models import Role, SignedStepIn
from db import cases, crud
from db.models import CaseProjection, Party
from domain.canonical import content_hash
from domain.dispute.state import CasePhase
from domain.dispute.terms import CAR, RENOVATION, CaseTerms, ClaimItem
from domain.escrow.payloads import Payload
from domain.escrow.rejections import StepRejected
from domain.escrow.terms import PartyKey
from domain.signing import EnvelopeError, SignedStep, parse_envelope, signature_is_valid
from expert_panels.registry import SPECIALTIES
from workflows.dispute import DisputeWorkflow
from workflows.dispute_types import DisputeInput, case_workflow_id
from workflows.escrow import EscrowWorkflow

router = APIRouter(prefix="/cases", tags=["dispute cases"])

CLAIM_FIELDS = {"domain", "main_specialty", "items", "disputed_fen", "remedy_sought"}
CLAIM_OPTIONAL = {"evidence", "escrow_id", "escrow_dispute"}
SIDES = {RENOVATION: {Role.OWNER.value, Role.CONTRACTOR.value}, CAR: {Role.BUYER.value, Role.DEALER.value}}


def _claim_terms(claim: Payload) -> dict[str, Any]:
    domain = claim.choice("domain", {RENOVATION, CAR})
    items = [Payload(raw, required={"item_id", "description"}) for raw in claim.objects("items")]
    if not 1 <= len(items) <= 20:
        raise ApiError(422, "items_required", "a claim lists 1 to 20 items for the panel to decide")
    return {
        "domain": domain,
        "main_specialty": claim.choice("main_specialty", set(SPECIALTIES[domain])),
        "items": [ClaimItem(i.text("item_id"), i.text("description")) for i in items],
        "disputed_fen": claim.integer("disputed_fen"),
        "remedy_sought": claim.text("remedy_sought"),
    }


def _verified_claim(body: SignedStepIn, claimant: Party, max_skew: int) -> tuple[SignedStep, Any]:
    step = SignedStep(envelope=body.envelope, signature=body.signature)
    try:
        envelope = parse_envelope(step.envelope)
    except EnvelopeError as exc:
        raise ApiError(422, "bad_envelope", str(exc)) from None
    if envelope.action != "claim.file":
        raise ApiError(422, "action_mismatch", "a case is filed with a 'claim.file' envelope")
    if envelope.signer != claimant.id or not signature_is_valid(claimant.public_key, step):
        raise ApiError(403, "bad_signature", "the claim must be signed by the filing party's key")
    if abs(envelope.timestamp - datetime.now(UTC)) > timedelta(seconds=max_skew):
        raise ApiError(409, "stale_timestamp", "the claim's timestamp is too far from now")
    return step, envelope


@router.post("", status_code=201)
async def file_case(
    body: SignedStepIn, party: CurrentParty, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> dict[str, Any]:
    """File a dispute: the council then accepts or rejects it within 7 working days."""
    step, envelope = _verified_claim(body, party, settings.signature_max_skew_seconds)
    respondent = crud.get_party(session=session, party_id=envelope.subject)
    try:
        claim = Payload(envelope.payload, required=CLAIM_FIELDS, optional=CLAIM_OPTIONAL)
        terms = _claim_terms(claim)
        escrow_id = claim.text("escrow_id") if claim.has("escrow_id") else None
        escrow_dispute = claim.integer("escrow_dispute", minimum=1) if escrow_id else None
    except StepRejected as exc:
        raise ApiError(422, exc.code, exc.message) from None
    sides = SIDES[terms["domain"]]
    if respondent is None or respondent.id == party.id or {party.role, respondent.role} != sides:
        between = " and a ".join(sorted(sides))
        raise ApiError(422, "wrong_parties", f"a {terms['domain']} case is between a {between}")
    councils = crud.list_parties_by_role(session=session, role=Role.COUNCIL.value)
    case_id = crud.next_id(session=session, prefix="CASE", year=datetime.now(UTC).year)
    case_terms = CaseTerms(
        case_id=case_id,
        claimant=PartyKey(party.id, party.public_key),
        respondent=PartyKey(respondent.id, respondent.public_key),
        claimant_org=party.id,
        respondent_org=respondent.id,
        claim_hash=content_hash(step.envelope),
        escrow_id=escrow_id,
        escrow_dispute=escrow_dispute,
        **terms,
    )
    case = DisputeInput(
        terms=case_terms,
        council_keys={c.id: c.public_key for c in councils},
        calendar=settings.work_calendar(),
        max_skew_seconds=settings.signature_max_skew_seconds,
    )
    release_connection(session)
    if escrow_id:  # the escrow checks the dispute and starts the case as its child
        await execute(temporal, ESCROW, escrow_id, EscrowWorkflow.open_case, case)
    else:
        await temporal.start_workflow(
            DisputeWorkflow.run, case, id=case_workflow_id(case_id), task_queue=settings.temporal_task_queue
        )
    return {"case_id": case_id, "claim_hash": case_terms.claim_hash}


def _case_summary(row: CaseProjection) -> CaseSummary:
    outcome = None
    if row.outcome is not None:
        outcome = CaseOutcomeSummary(
            kind=row.outcome, pay_fen=row.pay_fen, refund_fen=row.refund_fen, remedy=row.remedy
        )
    return CaseSummary.model_validate(row.model_dump() | {"outcome": outcome})


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
    return [_case_summary(row) for row in rows]


def _require_case_party(party: Party, case: dict[str, Any]) -> None:
    seated = {seat["party_id"] for r in case["rounds"] for seat in r["seats"].values()}
    if (
        party.id not in {case["claimant_id"], case["respondent_id"], *seated}
        and party.role != Role.COUNCIL.value
    ):
        raise ApiError(
            403, "not_a_participant", "only the case's parties, its panel and the council may read it"
        )


@router.get("/{case_id}")
async def get_case(case_id: str, party: CurrentParty, temporal: TemporalDep) -> dict[str, Any]:
    """Where the case stands, straight from its workflow."""
    case = await query(temporal, CASE, case_id, DisputeWorkflow.snapshot)
    _require_case_party(party, case)
    return case


@router.get("/{case_id}/draws")
async def get_draws(case_id: str, party: CurrentParty, temporal: TemporalDep) -> list[dict[str, Any]]:
    """Every panel draw of the case with its seed, candidates and exclusions, for its parties to re-run.

    The records name candidates and why they were excluded (who worked for whom), so
    they are shown to the same people as the case itself.
    """
    _require_case_party(party, await query(temporal, CASE, case_id, DisputeWorkflow.snapshot))
    return await query(temporal, CASE, case_id, DisputeWorkflow.draw_records)
