"""The council's page for verifying businesses against their licence.

What the clerk needs to check a licence is on the page: the legal name and the unified social
credit code the business typed, with the code's parts read out (registration authority, type,
division), so a licence in hand can be compared line by line. Verifying and revoking are the
JSON API's (api/routes/businesses.py), called by static/businesses.js with the session cookie;
neither is a signed step, because neither moves money nor speaks for a party.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from db import businesses
from db.models import Party
from domain import credit_code
from web.access import PageRoute, require_roles
from web.templating import render

router = APIRouter(prefix="/council", tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
SHOWN = 100
WORDS = ["error.step"]


@dataclass(frozen=True)
class CodeParts:
    authority: str
    organisation_type: str
    division: str
    organisation_code: str


def code_parts(code: str | None) -> CodeParts | None:
    """The code read out for the clerk; None when there is none or it no longer parses."""
    if code is None:
        return None
    try:
        parsed = credit_code.parse(code)
    except credit_code.CreditCodeError:
        return None
    return CodeParts(parsed.authority, parsed.organisation_type, parsed.division, parsed.organisation_code)


@router.get("/businesses", response_class=HTMLResponse)
def business_verification(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Businesses awaiting verification (oldest first) with a form each, and the last verified
    ones with a form to revoke."""
    awaiting = businesses.awaiting_verification(session=session, limit=SHOWN, offset=0, query=q)
    verified = businesses.recently_verified(session=session, limit=SHOWN)
    context = {
        "party": member,
        "awaiting": [(b, code_parts(b.credit_code)) for b in awaiting],
        "verified": verified,
        "q": q,
        "page_words": WORDS,
    }
    return render(request, "council/businesses.html", context)
