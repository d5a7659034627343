"""A car buyer files a dispute case against a dealer in the browser: `GET /my/cases/new`.

The page only renders the form; the claim is built by static/claim_form.js, shown in plain
words, signed and posted to `POST /cases` by static/steps.js, and the browser then goes to the
new case's page. Renovation claims are made on the escrow page instead, since such a case
decides one of the escrow's disputes (web/claim_forms.py).

Decision: the form requires the car's facts (delivery or invoice date, the day the fault
showed, the odometer, the faulty part), though the API takes a claim without them: a buyer
knows all four, and without them the panel has no statutory remedy to confirm or depart from
(DESIGN, expert-panel dispute). The other facts are optional and left out when empty.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from db.models import Party
from domain.case.terms import CAR
from expert_panels.registry import SPECIALTIES
from web.access import PageRoute, require_roles
from web.claim_forms import CLAIM_WORDS
from web.statutory_words import CAR_FACT_WORDS, CAR_USES, FAULT_PARTS
from web.templating import render

router = APIRouter(prefix="/my/cases", tags=["pages"], include_in_schema=False, route_class=PageRoute)

Buyer = Annotated[Party, Depends(require_roles("buyer"))]


@router.get("/new", response_class=HTMLResponse)
def new_case(request: Request, buyer: Buyer) -> HTMLResponse:
    context = {
        "party": buyer,
        "specialties": SPECIALTIES[CAR],
        "fault_parts": FAULT_PARTS,
        "car_uses": CAR_USES,
        "page_words": [*CLAIM_WORDS, *CAR_FACT_WORDS],
    }
    return render(request, "party/new_case.html", context)
