"""Advance-compensation funds (先行赔付): a business opens its fund and reads it; the council lists them.

The fund's own steps (pledge, advance, withdraw) are signed steps with generated routes
(domain/fund/steps.py, api/routes/steps.py); deposits arrive by the bank's webhook like an escrow's
(api/routes/webhooks.py). docs/ADVANCE_COMPENSATION.md is the design.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from sqlmodel import Session

from api.business_checks import require_verified
from api.deps import CurrentParty, SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError, error_responses
from api.fund_models import FundDeposit, FundListed, FundPublic
from api.gateway import FUND, query, start_once
from api.models import FundAuditTrail
from api.routes.businesses import CouncilMember
from config.settings import Settings
from db import cases, crud, funds
from db.keys import council_keys
from db.models import Party
from domain.audit import EARLIER_ENTRIES, whole_trail
from domain.case.snapshot import read_case_snapshot
from domain.deposit_reference import deposit_reference
from domain.fund.snapshot import FundSnapshot
from domain.fund.terms import AdvanceClaim, FundTerms, fund_id_of
from domain.roles import Role
from domain.steps.parties import PartyKey
from workflows.fund import FundWorkflow
from workflows.fund_types import FundInput, fund_workflow_id

FUND_BUSINESSES = frozenset({Role.CONTRACTOR.value, Role.DEALER.value})
FundId = Annotated[str, Path(max_length=64, description="FUND- and the business's party id")]

router = APIRouter(prefix="/funds", tags=["advance compensation"], responses=error_responses(401, 403))


def fund_deposit(fund: FundSnapshot, settings: Settings) -> FundDeposit:
    """Where to pay, and what the fund lacks: its pledge plus what it owes, less what it holds."""
    ledger = fund.ledger
    return FundDeposit(
        bank_url=settings.bank_url,
        bank_name=settings.bank_name,
        account_holder=settings.bank_account_holder,
        account_id=fund.fund_id,
        payer_id=fund.business_id,
        reference=deposit_reference(fund.fund_id),
        due_fen=max(0, fund.pledged_fen + ledger.owed_fen - ledger.held_fen),
    )


def overdue_claims(session: Session, business_id: str) -> list[AdvanceClaim]:
    """The business's overdue cases already on record, for a fund opened after they fell due."""
    found = cases.list_cases(session=session, party_id=business_id, phase="closed", limit=200)
    claims = [read_case_snapshot(row.summary_json).advance_claim for row in found if row.noncompliant]
    return [c for c in claims if c is not None and c.respondent_id == business_id]


@router.post("", status_code=201, response_model=FundPublic, responses=error_responses(409, 503))
async def open_fund(
    party: CurrentParty, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> FundPublic:
    """Open the caller's fund (a verified contractor or dealer; one each): its bank account and its
    workflow. Opening it again answers the fund as it stands. It pledges nothing until the business
    signs `fund.pledge`; then it is marked on the public pages.

    403 `not_a_business`; 409 `party_not_verified`.
    """
    if party.role not in FUND_BUSINESSES:
        raise ApiError(403, "not_a_business", "only a contractor or a car dealer keeps a compensation fund")
    require_verified(party)
    fund_id = fund_id_of(party.id)
    terms = FundTerms(
        fund_id, PartyKey(party.id, party.public_key), party.role, settings.fund_minimum_pledge_fen
    )
    fund_input = FundInput(
        terms,
        council_keys(session),
        overdue_claims(session, party.id),
        versions_per_run=settings.fund_versions_per_run,
    )
    await start_once(
        temporal,
        FundWorkflow.run,
        fund_input,
        workflow_id=fund_workflow_id(fund_id),
        task_queue=settings.temporal_task_queue,
    )
    return await _public(temporal, fund_id, settings)


@router.get("", response_model=list[FundListed])
def list_funds(council: CouncilMember, session: SessionDep) -> list[FundListed]:
    """Every fund, those owing most first, with the overdue cases each may still pay (council only)."""
    rows = funds.list_funds(session=session)
    parties = crud.list_parties(session=session, ids=[r.business_id for r in rows])
    names = {p.id: p.display_name for p in parties}
    listed = []
    for row in rows:
        snapshot = funds.fund_snapshot(row)
        listed.append(
            FundListed(
                fund_id=row.fund_id,
                business_id=row.business_id,
                business_name=names.get(row.business_id, row.business_id),
                status=row.status,
                pledged_fen=row.pledged_fen,
                held_fen=row.held_fen,
                owed_fen=row.owed_fen,
                claims_waiting=[c.case_id for c in snapshot.claims if not c.advanced],
            )
        )
    return listed


@router.get("/{fund_id}", response_model=FundPublic, responses=error_responses(404, 503))
async def read_fund(
    fund_id: FundId, party: CurrentParty, settings: SettingsDep, temporal: TemporalDep
) -> FundPublic:
    """The fund as its workflow holds it now, with where to pay into it: for its business and the
    council (403 `not_fund_reader` for anyone else; the public pages show its marks)."""
    require_fund_reader(party, fund_id)
    return await _public(temporal, fund_id, settings)


@router.get("/{fund_id}/audit", response_model=FundAuditTrail, responses=error_responses(404, 503))
async def export_fund_audit_trail(
    fund_id: FundId, party: CurrentParty, temporal: TemporalDep, session: SessionDep
) -> FundAuditTrail:
    """The fund's hash-chained trail of signed steps (pledges, advances, withdrawals), verifiable
    offline with `escrow audit --verify`, for whoever reads the fund (403 `not_fund_reader`).

    The whole life: the runs before the one the workflow is in now left their entries in the
    audit log (domain.audit.whole_trail)."""
    require_fund_reader(party, fund_id)
    exported = await query(temporal, FUND, fund_id, FundWorkflow.audit_trail)
    stored = crud.stored_trail(session=session, subject_id=fund_id) if exported[EARLIER_ENTRIES] else []
    return FundAuditTrail.model_validate(whole_trail(exported, stored))


def require_fund_reader(party: Party, fund_id: str) -> None:
    if party.role != Role.COUNCIL.value and fund_id != fund_id_of(party.id):
        raise ApiError(403, "not_fund_reader", "only the fund's business and the council read a fund")


async def _public(temporal: TemporalDep, fund_id: str, settings: Settings) -> FundPublic:
    snapshot: FundSnapshot = await query(temporal, FUND, fund_id, FundWorkflow.snapshot)
    return FundPublic(fund=snapshot, deposit=fund_deposit(snapshot, settings))
