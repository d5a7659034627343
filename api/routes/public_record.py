"""The public record on the web: pages anyone can read (no sign-in), and the same as JSON and CSV.

Stable addresses: `/public/quarters/2026Q3` (page), `.json` and `.csv` beside it, and its printable
notices for community boards, `/public/quarters/2026Q3/notices/450300.pdf` (one per district);
`/public/scorecards`, `/public/decisions` (with `domain`, `specialty`, `q`), `/public/counts.json`.
A published list is served as it was frozen, until a year after publication; after that it
answers 410 Gone. The council's spike alerts are at `/council/complaint-alerts` (council token).
"""

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.responses import HTMLResponse

from api.deps import CurrentParty, SessionDep
from api.errors import ApiError, error_responses
from api.public_models import (
    ComplaintCounts,
    ComplaintSpike,
    CountedDispute,
    FrozenRating,
    GroupCount,
    PublishedList,
)
from db.models import utcnow
from domain.money import yuan
from domain.spreadsheet import csv_text
from public_record.alerts import spikes
from public_record.complaints import OUTCOMES, Complaint, all_disputes, count_by, tally_by
from public_record.decisions import PublishedDecision, published_decisions
from public_record.facts import Business
from public_record.notices import DISTRICT_PATTERN, district_words
from public_record.periods import MONTH_PATTERN, QUARTER_PATTERN, BadQuarter, Month, Quarter
from public_record.quarterly import csv_rows, percent
from public_record.ratings import STAR_BANDS, Rating, moved, next_star, ratings
from public_record.scorecards import Scorecard, scorecards
from public_record.store import get_notice, get_published, list_published, load_history, notice_districts
from web.charts import Bar, bar_chart
from web.fund_view import fund_marks
from web.i18n import language_of, translate
from web.templating import render

router = APIRouter(prefix="/public", tags=["public record"])
council_router = APIRouter(prefix="/council", tags=["public record"], responses=error_responses(401, 403))
PUBLISHED_ERRORS = error_responses(404, 410)
QuarterPath = Annotated[str, Path(pattern=QUARTER_PATTERN.pattern, description="like 2026Q3")]
DistrictPath = Annotated[
    str, Path(pattern=f"^{DISTRICT_PATTERN.pattern}$", description="a GB/T 2260 division code, like 450300")
]

Role = Literal["contractor", "inspector", "dealer"]
Domain = Literal["renovation", "car"]


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except BadQuarter as exc:
        raise ApiError(422, "bad_quarter", str(exc)) from None


def published_document(session: Session, text: str, now: datetime | None = None) -> dict[str, Any]:
    """The frozen list for a quarter: 404 if never published, 410 once its year is over."""
    quarter = _quarter(text)
    row = get_published(session=session, quarter=quarter)
    if row is None:
        raise ApiError(404, "not_published", f"no list has been published for {quarter}")
    if row.expires_at <= (now or utcnow()):
        raise ApiError(
            410,
            "list_expired",
            f"the list for {quarter} was published for one year, until {row.expires_at:%Y-%m-%d}",
        )
    document: dict[str, Any] = json.loads(row.document_json)
    return document


# ------------------------------------------------------------------ quarterly lists
@router.get("/quarters/{quarter}.json", response_model=PublishedList, responses=PUBLISHED_ERRORS)
def quarter_json(quarter: QuarterPath, session: SessionDep) -> PublishedList:
    """A published quarter's complaint list, as frozen when it was published."""
    return PublishedList.model_validate(published_document(session, quarter))


@router.get("/quarters/{quarter}.csv", response_class=Response, responses=PUBLISHED_ERRORS)
def quarter_csv(quarter: QuarterPath, session: SessionDep) -> Response:
    """A published quarter's complaint list as CSV (UTF-8, formula-safe cells)."""
    document = published_document(session, quarter)
    return Response(
        csv_text(csv_rows(document)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="complaints-{document["quarter"]}.csv"'},
    )


@router.get(
    "/quarters/{quarter}/notices/{district}.pdf",
    response_class=Response,
    responses=PUBLISHED_ERRORS | {200: {"content": {"application/pdf": {}}}},
)
def quarter_notice(quarter: QuarterPath, district: DistrictPath, session: SessionDep) -> Response:
    """A district's printable A4 notice of a published list (for community boards), as kept when the
    list was published: 404 `notice_not_found` for a district with no business on the list."""
    document = published_document(session, quarter)
    row = get_notice(session=session, quarter=Quarter.parse(document["quarter"]), district=district)
    if row is None:
        raise ApiError(
            404,
            "notice_not_found",
            f"the list for {document['quarter']} has no notice for district {district}",
        )
    return Response(
        row.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="notice-{row.quarter}-{row.district}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/quarters/{quarter}", response_class=HTMLResponse, include_in_schema=False)
def quarter_page(request: Request, quarter: str, session: SessionDep) -> HTMLResponse:
    document = published_document(session, quarter)
    t = _translator(request)
    chart = bar_chart(
        [Bar(b["name"], b["complaints"]) for b in document["businesses"]],
        title=t("public.quarter.chart", quarter=document["quarter"]),
        empty_text=t("chart.no_data"),
    )
    context = {
        "document": document,
        "chart": chart,
        "percent": percent,
        "notices": [
            (district, district_words(district).say(language_of(request)))
            for district in notice_districts(session=session, quarter=Quarter.parse(document["quarter"]))
        ],
        "published_at": datetime.fromisoformat(document["published_at"]),
        "expires_at": datetime.fromisoformat(document["expires_at"]),
        "marks": fund_marks(session, [b["party_id"] for b in document["businesses"]]),
    }
    return render(request, "public/quarter.html", context)


# --------------------------------------------------------------------------- index
@router.get("", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, session: SessionDep) -> HTMLResponse:
    history = load_history(session=session)
    complaints = [c for c in all_disputes(history) if c.is_complaint]
    t = _translator(request)
    by_category = count_by(complaints, lambda c: c.category)
    by_outcome = count_by(complaints, lambda c: c.outcome)
    charts = {
        "categories": bar_chart(
            [
                Bar(category_words(t, k), v)
                for k, v in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            title=t("public.index.by_category"),
            empty_text=t("chart.no_data"),
        ),
        "outcomes": bar_chart(
            [Bar(t(f"public.outcome.{o}"), by_outcome[o]) for o in OUTCOMES if by_outcome.get(o)],
            title=t("public.index.by_outcome"),
            empty_text=t("chart.no_data"),
        ),
    }
    lists = list_published(session=session)
    return render(request, "public/index.html", {"lists": lists, "charts": charts, "total": len(complaints)})


@router.get("/counts.json", response_model=ComplaintCounts)
def counts(session: SessionDep) -> ComplaintCounts:
    """Every dispute counted by business, category, outcome and quarter filed (complaints and all)."""
    disputes = all_disputes(load_history(session=session))
    complaints = [c for c in disputes if c.is_complaint]

    def table(key: Callable[[Complaint], str]) -> dict[str, GroupCount]:
        return {name: GroupCount.of(group) for name, group in sorted(tally_by(complaints, key).items())}

    return ComplaintCounts(
        disputes=len(disputes),
        complaints=len(complaints),
        by_business=table(lambda c: c.business_id),
        by_category=table(lambda c: c.category),
        by_domain=table(lambda c: c.domain),
        by_quarter=table(lambda c: str(Quarter.of(c.filed_at))),
        by_outcome=count_by(complaints, lambda c: c.outcome),
        items=[CountedDispute.model_validate(asdict(c)) for c in disputes],
    )


# ---------------------------------------------------------------------- scorecards
@router.get("/scorecards.json", response_model=list[Scorecard])
def scorecards_json(session: SessionDep, role: Role = "contractor") -> list[Scorecard]:
    """Each verified business's public scorecard: complaints, decisions and the figures behind them."""
    history = load_history(session=session)
    return scorecards(history, all_disputes(history), role)


@router.get("/scorecards", response_class=HTMLResponse, include_in_schema=False)
def scorecards_page(request: Request, session: SessionDep, role: Role = "contractor") -> HTMLResponse:
    history = load_history(session=session)
    cards = scorecards(history, all_disputes(history), role)
    t = _translator(request)
    chart = bar_chart(
        [
            Bar(card.name, round(100 * card.first_pass_rate.value), f"n={card.first_pass_rate.n}")
            for card in cards
            if card.first_pass_rate.value is not None
        ][:20],
        title=t("public.scorecards.chart"),
        empty_text=t("chart.no_data"),
        value_format=lambda v: f"{v}%",
    )
    rated = ratings(history, all_disputes(history), role)
    context = {
        "cards": cards,
        "role": role,
        "chart": chart,
        "percent": percent,
        "ratings": rated,
        "marks": fund_marks(session, [card.party_id for card in cards]),
    }
    return render(request, "public/scorecards.html", context)


# ------------------------------------------------------------------------- ratings
@router.get("/ratings.json", response_model=list[Rating])
def ratings_json(session: SessionDep, role: Role = "contractor") -> list[Rating]:
    """Each verified business's star rating with the components behind it (docs/RATINGS.md); no
    stars below five engagements."""
    history = load_history(session=session)
    return list(ratings(history, all_disputes(history), role).values())


@router.get("/ratings/{party_id}.json", response_model=Rating, responses=error_responses(404))
def rating_json(session: SessionDep, party_id: Annotated[str, Path(max_length=40)]) -> Rating:
    """One verified business's star rating and what counts in it: what a form naming the business
    shows beside its name (asked apart from the name, so a slow record never holds the form)."""
    return _rated(session, party_id)[1]


def _rated(session: Session, party_id: str) -> tuple[Business, Rating]:
    history = load_history(session=session)
    business = history.business(party_id)
    rated = ratings(history, all_disputes(history), business.role).get(party_id)
    if rated is None:
        raise ApiError(
            404, "not_rated", f"{party_id} is not a verified business", params={"party_id": party_id}
        )
    return business, rated


@router.get("/ratings/{party_id}", response_class=HTMLResponse, include_in_schema=False)
def rating_page(
    request: Request, session: SessionDep, party_id: Annotated[str, Path(max_length=40)]
) -> HTMLResponse:
    """How one business's rating is made, component by component: what the business reads to see
    what moves it."""
    business, rated = _rated(session, party_id)
    since = last_frozen(session, party_id)
    context = {
        "business": business,
        "rating": rated,
        "lift": next_star(rated),
        "percent": percent,
        "bands": STAR_BANDS,
        "mark": fund_marks(session, [party_id]).get(party_id),
    }
    if since is not None:
        quarter, then = since
        context["since"] = {"quarter": quarter, "stars": then.stars, "moved": moved(rated, then.parts)}
    return render(request, "public/rating.html", context)


def last_frozen(session: Session, party_id: str) -> tuple[str, FrozenRating] | None:
    """The business's rating as the newest list still served froze it, and that list's quarter."""
    for published in list_published(session=session):
        frozen = json.loads(published.document_json).get("ratings", {}).get(party_id)
        if frozen is not None:
            return published.quarter, FrozenRating.model_validate(frozen)
    return None


# ----------------------------------------------------------------------- decisions
DomainQuery = Annotated[Domain | None, Query(description="renovation or car")]
SpecialtyQuery = Annotated[str | None, Query(max_length=60)]
TextQuery = Annotated[str | None, Query(max_length=100, description="words in the published text")]


@router.get("/decisions.json", response_model=list[PublishedDecision])
def decisions_json(
    session: SessionDep, domain: DomainQuery = None, specialty: SpecialtyQuery = None, q: TextQuery = None
) -> list[PublishedDecision]:
    """Published case decisions with their plain-language summaries (no party's private details)."""
    history = load_history(session=session)
    return published_decisions(history, domain=domain, specialty=specialty, text=q)


@router.get("/decisions", response_class=HTMLResponse, include_in_schema=False)
def decisions_page(
    request: Request,
    session: SessionDep,
    domain: DomainQuery = None,
    specialty: SpecialtyQuery = None,
    q: TextQuery = None,
) -> HTMLResponse:
    history = load_history(session=session)
    found = published_decisions(history, domain=domain, specialty=specialty, text=q)
    specialties = sorted({c.main_specialty for c in history.cases if c.main_specialty})
    context = {
        "decisions": found,
        "filters": {"domain": domain or "", "specialty": specialty or "", "q": q or ""},
        "specialties": specialties,
        "yuan": yuan,
    }
    return render(request, "public/decisions.html", context)


# -------------------------------------------------------------------------- alerts
@council_router.get("/complaint-alerts", response_model=list[ComplaintSpike])
def complaint_alerts(
    party: CurrentParty,
    session: SessionDep,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN.pattern, description="YYYY-MM")] = None,
) -> list[ComplaintSpike]:
    """Spikes in one month against each category's and business's own baseline (council only)."""
    if party.role != "council":
        raise ApiError(403, "council_only", "complaint alerts are for the council")
    history = load_history(session=session)
    chosen = Month.parse(month) if month else Month.of(utcnow())
    labels = {party_id: history.business(party_id).name for party_id in history.parties}
    return [ComplaintSpike.of(alert) for alert in spikes(all_disputes(history), chosen, labels)]


def category_words(t: Callable[..., str], category: str) -> str:
    """A complaint's category (`renovation/waterproofing`, public_record/complaints.py) in the
    reader's words ("装修 · 防水"): public pages show no codes."""
    domain, _, specialty = category.partition("/")
    return f"{t(f'public.domain.{domain}')} · {t(f'specialty.{specialty}')}"


def _translator(request: Request) -> Callable[..., str]:
    language = language_of(request)
    return lambda key, **values: translate(language, key, **values)
