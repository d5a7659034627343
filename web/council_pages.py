"""The council's pages: open disputes and their deadlines, one case with its panel draws, the registry."""

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep
from api.routes.experts import MAX_CSV_BYTES
from db import cases, crud, experts
from db.models import Party
from domain.case.state import CasePhase
from domain.case.terms import REJECTION_GROUNDS
from expert_panels.registry import SPECIALTIES
from web.access import PageRoute, require_roles
from web.case_forms import CASE_STEP_WORDS
from web.case_reads import case_titles, claim_shown, mediation_of, party_names, read_case, snapshot_of
from web.case_views import CaseRow, case_row, steps_open_to
from web.charts import Bar, bar_chart
from web.expert_registry_pages import SCRIPT_WORDS
from web.fund_view import case_advance
from web.i18n import language_of, translator
from web.server_text import reason_words, stored_alert_text
from web.templating import render

router = APIRouter(prefix="/council", tags=["pages"], include_in_schema=False, route_class=PageRoute)

CouncilMember = Annotated[Party, Depends(require_roles("council"))]
REGISTRY_PAGE_SIZE = 50
OPEN_CASES_SHOWN = 200


@router.get("", response_class=HTMLResponse)
def open_disputes(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    domain: Literal["renovation", "car"] | None = None,
) -> HTMLResponse:
    """Every open case, the deadline that ends its phase first, so the overdue ones stand out."""
    t = translator(request)
    snapshots = [
        snapshot_of(row)
        for row in cases.list_cases(session=session, domain=domain, open_only=True, limit=OPEN_CASES_SHOWN)
    ]
    now = datetime.now(UTC)
    rows = sorted((case_row(case, member.id, member.role) for case in snapshots), key=CaseRow.due_first)
    per_phase = Counter(case.phase for case in snapshots)
    chart = bar_chart(
        [Bar(t(f"phase.{phase}"), per_phase[phase]) for phase in CasePhase if per_phase[phase]],
        title=t("council.chart_phases"),
        empty_text=t("council.no_open_cases"),
    )
    language = language_of(request)
    alerts = [(alert, stored_alert_text(language, alert)) for alert in crud.list_alerts(session=session)[:20]]
    context = {
        "party": member,
        "rows": rows,
        "names": party_names(session, snapshots),
        "titles": case_titles(session, snapshots),
        "now": now,
        "domain": domain,
        "chart": chart,
        "alerts": alerts,
    }
    return render(request, "council/disputes.html", context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_file(
    request: Request, case_id: str, member: CouncilMember, session: SessionDep
) -> HTMLResponse:
    """One case as its workflow holds it: parties, deadline, every panel draw and how the vote stands,
    and the council's signed step when the case waits for it (acceptance, countersignature)."""
    case = await read_case(request, case_id)
    now = datetime.now(UTC)
    context = {
        "mediation": mediation_of(request, case, now),
        "grounds": list(REJECTION_GROUNDS),  # the rejection form's choices (art. 15)
        "party": member,
        "case": case,
        "current": case.current_round,
        "names": party_names(session, [case]),
        "page_words": CASE_STEP_WORDS,
        "steps": steps_open_to(case, member.id, member.role),
        "yours": case.waiting_for(member.id, member.role),
        "now": now,
        "reason_words": reason_words(language_of(request)),
        "advance": case_advance(session, case),
        **await claim_shown(request, session, member, case),
    }
    return render(request, "council/case.html", context)


@router.get("/cases/{case_id}/version")
async def case_version(request: Request, case_id: str, member: CouncilMember) -> dict[str, int]:
    """What the case page polls to refresh itself when a party, an expert or a timer moved the case."""
    case = await read_case(request, case_id)
    return {"version": case.version}


@router.get("/experts", response_class=HTMLResponse)
def expert_registry(
    request: Request,
    member: CouncilMember,
    session: SessionDep,
    domain: Literal["renovation", "car"] | None = None,
    specialty: str | None = None,
    active: Literal["yes", "no"] | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """The registry with its filters, and a chart of how many active experts each specialty has."""
    t = translator(request)
    known = {s for names in SPECIALTIES.values() for s in names}
    specialty = specialty if specialty in known else None
    listed, total = experts.list_experts(
        session=session,
        domain=domain,
        specialty=specialty,
        active=None if active is None else active == "yes",
        q=q or None,
        limit=REGISTRY_PAGE_SIZE,
        offset=(page - 1) * REGISTRY_PAGE_SIZE,
    )
    chart_domains = [domain] if domain else list(SPECIALTIES)
    bars = [
        Bar(
            t(f"specialty.{name}"),
            experts.list_experts(session=session, domain=d, specialty=name, active=True, limit=1)[1],
        )
        for d in chart_domains
        for name in SPECIALTIES[d]
    ]
    context = {
        "party": member,
        "experts": listed,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // REGISTRY_PAGE_SIZE)),
        "page_query": lambda number: urlencode({**request.query_params, "page": number}),
        "filters": {"domain": domain, "specialty": specialty, "active": active, "q": q or ""},
        "specialties": SPECIALTIES,
        "chart": bar_chart(bars, title=t("registry.chart_title"), empty_text=t("chart.no_data")),
        "script_words": SCRIPT_WORDS,  # the CSV import's report (static/experts_desk.js)
        "max_csv_bytes": MAX_CSV_BYTES,
    }
    return render(request, "council/experts.html", context)
