"""The council's page of accredited inspectors: who may be named as a contract's inspector.

The page lists every accreditation (filtered by name and status) and carries the
council's three forms: accredit an inspector, renew one (move its last valid day) and
deactivate one with a reason. The forms send JSON to the accreditation API as the
signed-in council member (static/accreditation.js); the rules are the API's, whose
refusal sentence the page shows.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from db import inspectors
from db.models import Party
from expert_panels.registry import AFFILIATION_KINDS, CONFLICT_YEARS, RENOVATION, SPECIALTIES
from web.access import PageRoute, require_roles
from web.templating import render

router = APIRouter(prefix="/council", tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
PAGE_SIZE = 50
# What static/accreditation.js says, in the reader's language.
SCRIPT_WORDS = ["error.step", "accreditation.affiliation_format"]


@router.get("/inspectors", response_class=HTMLResponse)
def accredited_inspectors(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    active: Literal["yes", "no"] | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Every accreditation matching the filters, each saying whether it holds today."""
    listed, total = inspectors.list_accreditations(
        session=session,
        deactivated=None if active is None else active == "no",
        q=q or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "party": member,
        "accreditations": listed,
        "today": datetime.now(UTC).date(),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "page_query": lambda number: urlencode({**request.query_params, "page": number}),
        "filters": {"active": active, "q": q or ""},
        "specialties": SPECIALTIES[RENOVATION],
        "kinds": AFFILIATION_KINDS,
        "conflict_years": CONFLICT_YEARS,
        "script_words": SCRIPT_WORDS,
    }
    return render(request, "council/inspectors.html", context)
