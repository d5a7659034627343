"""Reading cases for the staff pages: lists from the read model, one case from its workflow.

A single case is read from its workflow (like `GET /cases/{id}`) so a page reloaded right
after a signed step already shows it; lists come from the read model so a page of twenty
cases costs one database query, not twenty workflow queries.

Every case page shows the claim as filed: its items, disputed amount, remedy sought and main
specialty from the snapshot, and for a case about an escrow, that escrow's dispute as the escrow
holds it (`claim_shown`).
"""

from datetime import datetime
from typing import Any

from fastapi import Request
from sqlmodel import Session
from starlette.responses import HTMLResponse

from api.case_escrow import CaseEscrowView, read_case_escrow
from api.errors import ApiError
from api.gateway import CASE, query
from db import crud
from db.models import CaseProjection, Party
from domain.calendar import SHANGHAI
from domain.case.snapshot import CaseSnapshot, read_case_snapshot
from domain.escrow.snapshot import read_summary
from expert_panels.car_claim import DealerDeadlines, dealer_deadlines
from web.access import PageRefused
from web.case_views import MediationView, mediation_view
from web.evidence_view import case_files, escrow_files, files_shown
from web.i18n import language_of, translator
from web.templating import refusal_words, render
from workflows.case import CaseWorkflow


def snapshot_of(row: CaseProjection) -> CaseSnapshot:
    return read_case_snapshot(row.summary_json)


async def read_case(request: Request, case_id: str) -> CaseSnapshot:
    """The case as its workflow holds it now, or a refusal page (unknown case, Temporal down)."""
    try:
        snapshot: CaseSnapshot = await query(request.app.state.temporal, CASE, case_id, CaseWorkflow.snapshot)
        return snapshot
    except ApiError as error:
        raise PageRefused(problem_page(request, error)) from None


def problem_page(request: Request, error: ApiError) -> HTMLResponse:
    """An API error as a page: in the page's own words when it has some for the code, else in the
    API's sentence for it (api/error_catalogue.py), both in the reader's language."""
    key = f"problem.{error.code}"
    worded = translator(request)(key)
    message = refusal_words(language_of(request), error.code) if worded == key else worded
    context = {"message": message, "code": error.code}
    return render(request, "problem.html", context, status_code=error.status)


def party_names(session: Session, cases: list[CaseSnapshot]) -> dict[str, str]:
    """Display names of every claimant, respondent and seated expert the cases name."""
    ids = {side for c in cases for side in (c.claimant_id, c.respondent_id)}
    ids |= {s.party_id for c in cases for r in c.rounds for s in r.seats.values()}
    return {party.id: party.display_name for party in crud.list_parties(session=session, ids=sorted(ids))}


def case_titles(session: Session, cases: list[CaseSnapshot]) -> dict[str, str]:
    """What each case is about, in a line for the lists: its escrow's title for an escrow's dispute,
    else the claim's first item in the claimant's words."""
    ids = sorted({case.escrow_id for case in cases if case.escrow_id})
    titles = {
        row.escrow_id: read_summary(row.summary_json).title
        for row in crud.list_escrow_projections(session=session, ids=ids)
    }
    first_item = {case.case_id: case.items[0].description if case.items else case.case_id for case in cases}
    return {case.case_id: titles.get(case.escrow_id or "") or first_item[case.case_id] for case in cases}


async def case_escrow(request: Request, party: Party, case: CaseSnapshot) -> CaseEscrowView | None:
    """The escrow the case decides on as the reader may see it (api/case_escrow.py), None for a
    case about no escrow; a refusal page when the escrow cannot be read."""
    if case.escrow_id is None:
        return None
    try:
        return await read_case_escrow(request.app.state.temporal, party, case)
    except ApiError as error:
        raise PageRefused(problem_page(request, error)) from None


async def claim_shown(request: Request, session: Session, party: Party, case: CaseSnapshot) -> dict[str, Any]:
    """What case_facts.html shows of the claim besides the snapshot: `case_escrow` (the escrow the
    case decides on, whose `dispute.reason` is the claim's reason) and `evidence`, what the store
    knows of every file the case and that escrow name (web/evidence_view.py), and `dealer_deadlines`,
    the seller's days under Art. 28 of Order No. 43 when a car claim states the day it asked for a
    replacement or refund, counted on the calendar the deployment hands its cases."""
    escrow = await case_escrow(request, party, case)
    named = case_files(case)
    subjects = [case.case_id]
    if escrow is not None:
        named += escrow_files(escrow.stages, [escrow.dispute] if escrow.dispute else [], [])
        subjects.append(escrow.escrow_id)
    return {
        "case_escrow": escrow,
        "evidence": files_shown(session, party, subjects, named),
        "dealer_deadlines": dealer_deadlines_of(request, case),
    }


def dealer_deadlines_of(request: Request, case: CaseSnapshot) -> DealerDeadlines | None:
    facts = case.car_facts
    if facts is None or "requested_on" not in facts:
        return None
    year = int(str(facts["requested_on"])[:4])
    calendar = request.app.state.settings.work_calendar(year, year + 1)
    answered = case.answer.defences if case.answer else []
    return dealer_deadlines(facts, calendar, answered)


def mediation_of(request: Request, case: CaseSnapshot, now: datetime) -> MediationView | None:
    """The case's mediation period for its page, the working days left counted on the calendar the
    deployment hands its cases (`escrow calendar`)."""
    if case.mediation is None:
        return None
    calendar = request.app.state.settings.work_calendar(now.astimezone(SHANGHAI).year)
    return mediation_view(case, now, calendar)
