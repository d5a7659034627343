"""The advance-compensation pages (docs/ADVANCE_COMPENSATION.md): a business's own fund, and the
council's list of every fund with the overdue cases each may still pay.

`/my/fund` reads the fund from its workflow (like `GET /funds/{id}`), so the page reloaded after a
pledge shows it; the council's list reads the read model, one query for every fund. Every change is
the JSON API's: static/funds.js opens the fund (POST /funds as the signed-in business); `fund.pledge`,
`fund.withdraw` and `fund.advance` are signed with the reader's own key once the reader confirms what
it signs (static/steps.js), and the API checks it.
"""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, Response

from api.deposit_instructions import deposit_qr_text
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.gateway import FUND, query
from api.qr import qr_svg
from api.routes.funds import fund_deposit
from db import crud, funds
from db.models import Party
from domain.fund.snapshot import FundSnapshot
from domain.fund.state import FundMovementKind
from domain.fund.steps import FUND_ADVANCE, FUND_PLEDGE, FUND_STEPS, FUND_WITHDRAW
from domain.fund.terms import fund_id_of
from domain.steps.spec import StepSpec
from web.access import PageRefused, PageRoute, require_roles
from web.case_reads import problem_page
from web.step_words import STEPS_JS_WORDS
from web.templating import form_key, render
from workflows.fund import FundWorkflow

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

Business = Annotated[Party, Depends(require_roles("contractor", "dealer"))]
CouncilMember = Annotated[Party, Depends(require_roles("council"))]
# what static/steps.js says on these pages, with the words of the fund's steps and their fields
WORDS = [
    *STEPS_JS_WORDS,
    *(f"action.{spec.action}" for spec in FUND_STEPS),
    *(f"field.{spec.action}.amount_fen" for spec in FUND_STEPS),
    "field.fund",
    "field.case_id",
    "field.decision_hash",
]


def step_url(fund_id: str, spec: StepSpec[Any]) -> str:
    """Where a fund's signed step is posted: its declared route under the fund (domain/fund/steps.py)."""
    return f"/funds/{fund_id}{spec.path}"


def names_of(session: Session, party_ids: set[str]) -> dict[str, str]:
    return {p.id: p.display_name for p in crud.list_parties(session=session, ids=sorted(party_ids))}


async def own_fund(request: Request, party: Party) -> FundSnapshot | None:
    """The business's fund as its workflow holds it, None if it never opened one."""
    try:
        snapshot: FundSnapshot = await query(
            request.app.state.temporal, FUND, fund_id_of(party.id), FundWorkflow.snapshot
        )
        return snapshot
    except ApiError as error:
        if error.code == "fund_not_found":
            return None
        raise PageRefused(problem_page(request, error)) from None


@router.get("/my/fund", response_class=HTMLResponse)
async def my_fund(
    request: Request, party: Business, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> HTMLResponse:
    """The business's fund: its pledge, where to pay, the ledger, the advances it paid and the
    overdue cases that may still call on it; or, before it is opened, what it is and how to open it."""
    fund = await own_fund(request, party)
    context: dict[str, object] = {"party": party, "fund": fund, "page_words": WORDS}
    if fund is not None:
        advances = [m for m in fund.movements if m.kind == FundMovementKind.ADVANCE]
        context |= {
            "deposit": fund_deposit(fund, settings),
            "advances": advances,
            "waiting": [c for c in fund.claims if not c.advanced],
            "names": names_of(session, {m.beneficiary for m in advances}),
            "pledge_url": step_url(fund.fund_id, FUND_PLEDGE),
            "withdraw_url": step_url(fund.fund_id, FUND_WITHDRAW),
            "form_key": form_key,
        }
    return render(request, "party/fund.html", context)


@router.get("/my/fund/deposit-qr.svg", response_class=Response)
async def fund_deposit_qr(party: Business, settings: SettingsDep, temporal: TemporalDep) -> Response:
    """The QR code of where to pay into the business's fund, as the escrow's deposit step has one
    (404 `fund_not_found` before the fund is opened: the gateway's answer)."""
    fund: FundSnapshot = await query(temporal, FUND, fund_id_of(party.id), FundWorkflow.snapshot)
    text = deposit_qr_text(fund_deposit(fund, settings))
    return Response(qr_svg(text), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/council/funds", response_class=HTMLResponse)
async def council_funds(
    request: Request, member: CouncilMember, session: SessionDep, temporal: TemporalDep
) -> HTMLResponse:
    """Every fund, those owing most first, each with an advance form for every overdue case it has
    not yet paid (prefilled with what the decision gives the consumer). The list is the read model's;
    a fund with a case waiting is read from its workflow, so the page reloaded after an advance no
    longer offers it (the read model learns of it a moment later)."""
    rows = funds.list_funds(session=session)
    listed = await asyncio.gather(*(fresh(temporal, funds.fund_snapshot(row)) for row in rows))
    waiting = {fund.fund_id: [c for c in fund.claims if not c.advanced] for fund in listed}
    people = {f.business_id for f in listed} | {m.beneficiary for f in listed for m in f.movements}
    people |= {c.claimant_id for claims in waiting.values() for c in claims}
    context = {
        "party": member,
        "funds": listed,
        "waiting": waiting,
        "names": names_of(session, people),
        "advance_path": FUND_ADVANCE.path,
        "form_key": form_key,
        "page_words": WORDS,
    }
    return render(request, "council/funds.html", context)


async def fresh(temporal: TemporalDep, stored: FundSnapshot) -> FundSnapshot:
    """The fund as its workflow holds it if a case waits on it, else as the read model stored it."""
    if all(c.advanced for c in stored.claims):
        return stored
    snapshot: FundSnapshot = await query(temporal, FUND, stored.fund_id, FundWorkflow.snapshot)
    return snapshot
