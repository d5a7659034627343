"""The council's consumer warning pages (docs/PUBLIC_RECORD.md "Consumer warnings"): the list
with this month's complaint spikes (each a link that prefills the draft form with it) and the
draft form, discarded drafts folded away below; and one warning's page, where each member signs
the publication, or the withdrawal with its reason, with their own key, or discards a draft with
a reason (static/warnings_desk.js calls the JSON API of api/routes/warnings.py, which checks
every signature). The public page is api/routes/warnings.py's.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from api.routes.warnings import council_view, month_spikes
from db import crud
from db import warnings as stored
from db.models import Party, utcnow
from public_record.periods import MONTH_PATTERN, Month
from public_record.warnings import categories
from web.access import PageRoute, require_roles
from web.i18n import language_of, translate
from web.templating import form_key, render

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
WORDS = ["error.step"]


@router.get("/council/warnings", response_class=HTMLResponse)
def warnings_desk(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN.pattern)] = None,
    subject: Annotated[str | None, Query(max_length=20)] = None,
    key: Annotated[str | None, Query(max_length=120)] = None,
) -> HTMLResponse:
    """Every warning (drafts first among the newest), the month's spikes, and the draft form,
    prefilled from the spike named by `subject` and `key` when there is one. Discarded drafts
    are listed apart, folded: the council decided against them, and may still open one."""
    chosen = Month.parse(month) if month else Month.of(utcnow())
    found = month_spikes(session, chosen)
    picked = next((s for s in found if (s.subject, s.key) == (subject, key)), None)
    rows = stored.listed(session=session, states=stored.LIVE_STATES)
    discarded = stored.listed(session=session, states=(stored.DISCARDED,))
    context = {
        "party": member,
        "month": str(chosen),
        "spikes": found,
        "picked": picked,
        "categories": categories(),
        "warnings": [council_view(session, row) for row in rows],
        "discarded": [council_view(session, row) for row in discarded],
        "form_key": form_key(),
        "page_words": WORDS,
    }
    return render(request, "council/warnings.html", context)


@router.get("/council/warnings/{warning_id}", response_class=HTMLResponse)
def warning_desk(
    request: Request, warning_id: str, member: CouncilMember, session: SessionDep
) -> HTMLResponse:
    row = stored.get(session=session, warning_id=warning_id)
    if row is None:
        words = {
            "message": translate(language_of(request), "council.warnings.not_found"),
            "code": "warning_not_found",
        }
        return render(request, "problem.html", {"party": member} | words, 404)
    view = council_view(session, row)
    signed = {(s.purpose, s.member_id) for s in view.signatures}
    names = {}
    people = [s.member_id for s in view.signatures] + ([view.discarded_by] if view.discarded_by else [])
    for member_id in people:
        someone = crud.get_party(session=session, party_id=member_id)
        names[member_id] = someone.display_name if someone else member_id
    context = {
        "party": member,
        "w": view,
        "names": names,
        "may_publish": view.state == "draft" and ("publish", member.id) not in signed,
        "may_withdraw": view.state == "published" and ("withdraw", member.id) not in signed,
        "may_discard": view.state == "draft",
        "page_words": WORDS,
    }
    return render(request, "council/warning.html", context)
