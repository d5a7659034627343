"""The council's expert registry desk: add an expert, change one, link its signing party, deactivate.

The list itself, with its filters and the CSV import, is `/council/experts` (web/council_pages.py);
these pages hold one expert each. Like the accreditation desk, the forms send JSON to the
registry API as the signed-in council member (static/experts_desk.js): the rules are the API's,
whose refusal sentence the page shows. Nothing is signed: the registry is the council's own record.
"""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from api.errors import ApiError
from db import experts
from db.models import Party
from expert_panels.registry import AFFILIATION_KINDS, SPECIALTIES
from web.access import PageRefused, PageRoute, require_roles
from web.case_reads import problem_page
from web.templating import render

router = APIRouter(prefix="/council", tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
# What static/experts_desk.js says, in the reader's language.
SCRIPT_WORDS = [
    "error.step",
    "accreditation.affiliation_format",
    *(f"card.{key}" for key in ("looking", "not_found", "wrong_role")),
    *(f"role.{role}" for role in ("owner", "contractor", "inspector", "council", "expert", "bank", "buyer")),
    "role.dealer",
    *(f"experts_desk.{key}" for key in ("card_ok", "check_card", "confirm_deactivate")),
    *(f"experts_desk.{key}" for key in ("confirm_reactivate", "report_added", "report_refused")),
    *(f"experts_desk.{key}" for key in ("report_all_added", "report_none_added", "file_refused")),
    "experts_desk.too_large",
    *(f"experts_desk.field.{name}" for name in ("expert_id", "name", "domain", "specialties")),
    *(f"experts_desk.field.{name}" for name in ("affiliations", "party_id", "row")),
]


def _form_key() -> str:
    """The create form's Idempotency-Key, drawn when the form is shown: sending that form again
    (the answer lost, or Back and submit) gets the expert the first sending made."""
    return "expert-" + secrets.token_urlsafe(24)


@router.get("/experts/new", response_class=HTMLResponse)
def new_expert(request: Request, member: CouncilMember) -> HTMLResponse:
    """The form that adds one expert to the registry."""
    context = {
        "party": member,
        "specialties": SPECIALTIES,
        "kinds": AFFILIATION_KINDS,
        "form_key": _form_key(),
        "script_words": SCRIPT_WORDS,
    }
    return render(request, "council/expert_new.html", context)


@router.get("/experts/{expert_id}", response_class=HTMLResponse)
def expert_entry(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    expert_id: Annotated[str, Path(max_length=40)],
) -> HTMLResponse:
    """One expert: what the registry holds, the form to change it, its signing party and its status."""
    stored = experts.get_expert(session=session, expert_id=expert_id)
    if stored is None:
        missing = ApiError(404, "expert_not_found", f"no expert {expert_id!r}")
        raise PageRefused(problem_page(request, missing))
    context = {
        "party": member,
        "stored": stored,
        "e": stored.expert,
        "specialties": SPECIALTIES[stored.expert.domain],
        "kinds": AFFILIATION_KINDS,
        "script_words": SCRIPT_WORDS,
    }
    return render(request, "council/expert.html", context)
