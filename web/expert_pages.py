"""The expert's pages: the cases they sit on, and one case file with its evidence and their vote.

An expert sees a case only while seated on its current panel (the API's rule for
`GET /cases/{id}` too). The vote is committed and revealed by the page's script, which signs
in the browser (see static/expert_vote.js); the independence declaration, the chair's summary
and the decision signature are forms signed by static/steps.js (see web/case_forms.py). The
server only renders what is to be signed.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from api.case_access import case_reader_role
from api.deps import SessionDep
from db import cases, experts
from db.models import Party
from domain.case.machine import present, summary_choices
from domain.case.snapshot import CaseSnapshot
from domain.case.state import Seat
from domain.case.terms import RENOVATION
from domain.roles import Role
from web.access import PageRefused, PageRoute, require_roles
from web.case_forms import CASE_STEP_WORDS, panel_decision
from web.case_reads import case_titles, claim_shown, mediation_of, party_names, read_case, snapshot_of
from web.case_views import case_row, member_task, seat_of, steps_open_to
from web.escrow_pages import stage_name
from web.i18n import language_of
from web.templating import render

router = APIRouter(prefix="/expert", tags=["pages"], include_in_schema=False, route_class=PageRoute)

PanelMember = Annotated[Party, Depends(require_roles("expert"))]
# What static/expert_vote.js says, in the reader's language; the page also carries the case steps' words.
VOTE_WORDS = [
    "error.amount",
    *(f"vote.{key}" for key in ("upheld", "rejected", "reasons", "item", "word_pay", "word_refund")),
    *(f"vote.{key}" for key in ("word_commitment", "word_secret", "secret_kept", "word_salt")),
    *(f"vote.{key}" for key in ("committed_now", "revealed_now", "error_finding", "error_pay")),
    *(f"vote.{key}" for key in ("error_not_kept", "error_mismatch", "action_commit", "action_reveal")),
    *(f"sign.{key}" for key in ("exact", "action", "case", "signer", "signer_as")),
]
PAGE_WORDS = [*VOTE_WORDS, *(key for key in CASE_STEP_WORDS if key not in VOTE_WORDS)]


@router.get("", response_class=HTMLResponse)
def my_cases(request: Request, expert: PanelMember, session: SessionDep) -> HTMLResponse:
    """The open cases this expert sits on, each with what they should do next and by when; and the
    party ID to give the council, with whether the registry links it (active or not)."""
    rows = []
    snapshots = [
        snapshot_of(row) for row in cases.list_open_cases_naming(session=session, party_id=expert.id)
    ]
    for case in snapshots:
        seated = seat_of(case, expert.id)
        if seated is not None:
            expert_id, _ = seated
            listed = case_row(case, expert.id, expert.role)
            rows.append({"row": listed, "expert_id": expert_id, "task": member_task(case, expert.id)})
    context = {
        "party": expert,
        "rows": rows,
        "now": datetime.now(UTC),
        "entry": experts.expert_of_party(session=session, party_id=expert.id),
        "names": party_names(session, snapshots),
        "titles": case_titles(session, snapshots),
    }
    return render(request, "expert/cases.html", context)


def _seated(request: Request, case: CaseSnapshot, expert: Party) -> tuple[str, Seat]:
    """This expert's id and seat on the case's current panel, or the page that says they have none."""
    seated = seat_of(case, expert.id)
    if case_reader_role(expert, case) is not Role.EXPERT or seated is None:
        context = {"party": expert, "case_id": case.case_id}
        raise PageRefused(render(request, "expert/not_seated.html", context, status_code=403))
    return seated


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_file(request: Request, case_id: str, expert: PanelMember, session: SessionDep) -> HTMLResponse:
    """The case file: the claim, the evidence files, the escrow it decides on (stages, inspection
    reports and their defects, change orders: read-only, api/case_escrow.py), the panel's progress
    and this member's vote."""
    case = await read_case(request, case_id)
    expert_id, seat = _seated(request, case, expert)
    current = present(case.current_round, "the panel the expert sits on")
    is_chair = current.chair == expert_id
    steps = steps_open_to(case, expert.id, expert.role)
    decision = panel_decision(case) if "decision.summarise" in steps else None
    now = datetime.now(UTC)
    context = {
        "mediation": mediation_of(request, case, now),
        "party": expert,
        "case": case,
        "expert_id": expert_id,
        "seat": seat,
        "current": current,
        "is_chair": is_chair,
        "inspection_open": "inspection.sign" in steps,
        "task": member_task(case, expert.id),
        "yours": case.waiting_for(expert.id, expert.role),
        "now": now,
        "names": party_names(session, [case]),
        "proposes_amount": case.domain == RENOVATION,
        "item_words": {item.item_id: item.description for item in case.items},
        "page_words": PAGE_WORDS,
        "decision": decision,
        "summary_choices": summary_choices(case.domain, decision.pay_fen if decision else None),
        "stage_name": partial(stage_name, language_of(request)),
        **await claim_shown(request, session, expert, case),
    }
    return render(request, "expert/case.html", context)


@router.get("/cases/{case_id}/version")
async def case_version(request: Request, case_id: str, expert: PanelMember) -> dict[str, int]:
    """What the case file polls to refresh itself when someone else moved the case; once the
    expert no longer sits on the panel it answers 403, and the page says so at its next reload."""
    case = await read_case(request, case_id)
    _seated(request, case, expert)
    return {"version": case.version}
