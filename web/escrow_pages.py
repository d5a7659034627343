"""The escrow pages: a party's escrows, one escrow with its timeline and the step waiting
for the reader, and the owner's contract form. Steps are signed in the browser and posted
to the JSON API by `static/steps.js`; these routes only read."""

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from db import crud
from web.session import SignedInParty
from web.templating import render

router = APIRouter(prefix="/my/escrows", tags=["pages"], include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def my_escrows(request: Request, party: SignedInParty, session: SessionDep) -> HTMLResponse:
    rows = crud.list_escrows_for_party(session=session, party_id=party.id, limit=200)
    return render(request, "escrow/list.html", {"party": party, "escrows": rows})
