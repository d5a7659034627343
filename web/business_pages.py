"""The pages for verifying businesses against their licence: the council's, and the one a housing
association uses while the council's delegation to it is in force; and the council's page of
those delegations.

What the clerk needs to check a licence is on the page: the legal name and the unified social
credit code the business typed, with the code's registration read out (authority, type, region),
so a licence in hand can be compared line by line. Verifying and revoking are the JSON API's
(api/routes/businesses.py), called by static/businesses.js with the session cookie; neither is a
signed step, because neither moves money nor speaks for a party. The association's page is the
council's without the revocations, which stay the council's (api/routes/delegations.py).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from db import businesses, delegations
from db.models import Party
from domain import credit_code
from web.access import PageRoute, require_roles
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
Association = Annotated[Party, Depends(require_roles("housing_association"))]
SHOWN = 100
WORDS = ["error.step"]
Search = Annotated[str, Query(max_length=100)]


def parsed_code(code: str | None) -> credit_code.CreditCode | None:
    """The code read out for the clerk; None when there is none or it no longer parses."""
    if code is None:
        return None
    try:
        return credit_code.parse(code)
    except credit_code.CreditCodeError:
        return None


def _queue(request: Request, session: SessionDep, reader: Party, q: str, *, council: bool) -> HTMLResponse:
    """Businesses awaiting verification (oldest first) with a form each; for the council, also
    the last verified ones with a form to revoke."""
    awaiting = businesses.awaiting_verification(session=session, limit=SHOWN, offset=0, query=q)
    context = {
        "party": reader,
        "council": council,
        "here": request.url.path,
        "awaiting": [(b, parsed_code(b.credit_code)) for b in awaiting],
        "verified": businesses.recently_verified(session=session, limit=SHOWN) if council else [],
        "q": q,
        "page_words": WORDS,
    }
    return render(request, "council/businesses.html", context)


@router.get("/council/businesses", response_class=HTMLResponse)
def business_verification(
    request: Request, member: CouncilMember, session: SessionDep, q: Search = ""
) -> HTMLResponse:
    return _queue(request, session, member, q, council=True)


@router.get("/association/businesses", response_class=HTMLResponse)
def association_verification(
    request: Request, association: Association, session: SessionDep, q: Search = ""
) -> HTMLResponse:
    """The queue while the council's delegation is in force; otherwise the page says it is not."""
    if delegations.in_force(session=session, delegate_id=association.id) is None:
        return render(request, "association/not_delegated.html", {"party": association})
    return _queue(request, session, association, q, council=False)


@router.get("/council/delegations", response_class=HTMLResponse)
def delegation_page(request: Request, member: CouncilMember, session: SessionDep) -> HTMLResponse:
    """Every delegation (in force first) with a form to revoke each in force, and a form to grant."""
    context = {
        "party": member,
        "delegations": delegations.listed(session=session, limit=SHOWN, offset=0),
        "page_words": WORDS,
    }
    return render(request, "council/delegations.html", context)
