"""The parties' case pages: the cases a party brought or answers, and one case file with the
step the case waits for from them (answer, settlement, strike, evidence, objection, the
dealer's confirmation of the remedy) or is open to (the claimant's withdrawal).

Only the claimant and the respondent read a case here; the council and the experts have
their own pages. Like the staff case pages, one case is read from its workflow and the
list from the read model, and the page refreshes itself when the case moves.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from api.case_access import case_reader_role
from api.deps import SessionDep
from db import cases
from db.models import Party
from domain.case.snapshot import CaseSnapshot
from domain.roles import Role
from web.access import PageRefused, PageRoute
from web.case_reads import case_titles, claim_shown, mediation_of, party_names, read_case, snapshot_of
from web.case_views import case_row
from web.fund_view import case_advance
from web.party_case_forms import PARTY_STEP_WORDS, party_forms
from web.session import SignedInParty
from web.templating import render

router = APIRouter(prefix="/my/cases", tags=["pages"], include_in_schema=False, route_class=PageRoute)

CASES_SHOWN = 200


@router.get("", response_class=HTMLResponse)
def my_cases(request: Request, party: SignedInParty, session: SessionDep) -> HTMLResponse:
    """The cases this party is claimant or respondent in, newest first, open or not: each with what it
    is about, the other side by name, the amount disputed and whom it waits for."""
    snapshots = [
        snapshot_of(row) for row in cases.list_cases(session=session, party_id=party.id, limit=CASES_SHOWN)
    ]
    rows = []
    for case in snapshots:
        side = str(case_reader_role(party, case) or "")
        other = case.respondent_id if side == "claimant" else case.claimant_id
        rows.append({"row": case_row(case, party.id, side), "side": side, "other": other})
    context = {
        "party": party,
        "rows": rows,
        "now": datetime.now(UTC),
        "names": party_names(session, snapshots),
        "titles": case_titles(session, snapshots),
    }
    return render(request, "party_case/list.html", context)


def _side(request: Request, case: CaseSnapshot, party: Party) -> str:
    """The reader's side in the case, or the page that says the case is not theirs."""
    role = case_reader_role(party, case)
    if role not in (Role.CLAIMANT, Role.RESPONDENT):
        context = {"party": party, "case_id": case.case_id}
        raise PageRefused(render(request, "party_case/not_a_party.html", context, status_code=403))
    return str(role)


@router.get("/{case_id}", response_class=HTMLResponse)
async def case_file(
    request: Request, case_id: str, party: SignedInParty, session: SessionDep
) -> HTMLResponse:
    """The case as its workflow holds it, and the reader's own step when the case waits for it."""
    case = await read_case(request, case_id)
    side = _side(request, case, party)
    current = case.current_round
    now = datetime.now(UTC)
    context = {
        "mediation": mediation_of(request, case, now),
        "party": party,
        "case": case,
        "side": side,
        "current": current,
        "names": party_names(session, [case]),
        "steps": party_forms(case, party.id, side),
        "yours": case.waiting_for(party.id, side),
        "now": now,
        "page_words": PARTY_STEP_WORDS,
        "decided": current is not None and current.countersigned,
        "advance": case_advance(session, case),
        **await claim_shown(request, session, party, case),
    }
    return render(request, "party_case/case.html", context)


@router.get("/{case_id}/version")
async def case_version(request: Request, case_id: str, party: SignedInParty) -> dict[str, int]:
    """What the case page polls to refresh itself when the other side, the council or a timer moved it."""
    case = await read_case(request, case_id)
    _side(request, case, party)
    return {"version": case.version}
