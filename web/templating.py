"""One Jinja2 environment for every page, with the filters that keep money and time honest.

Amounts arrive in fen and leave as ¥ with two decimals; moments arrive in UTC and leave as
a <time> element in Asia/Shanghai that `static/app.js` rewrites into the reader's own zone.
A car claim's facts and the article its statutory remedy cites are worded by
web/statutory_words.py (templates/statutory.html).
"""

import secrets
from datetime import UTC, datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session
from starlette.responses import HTMLResponse

from api import error_catalogue
from api.server_clock import server_time_ms
from db.models import Party
from db.notifications import unread_count
from domain import credit_code
from domain.calendar import SHANGHAI
from domain.money import yuan
from domain.steps.rejections import Params
from expert_panels.car_remedy import ART26_ARTICLE, losses_with
from web.i18n import LANGUAGES, has_word, language_of, translate
from web.server_text import dispute_reason
from web.statutory_words import article_key, in_claim_order, raised_by

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local_time(moment: datetime | str | None) -> Markup:
    """Also takes ISO 8601 text, as workflow snapshots carry their moments."""
    if not moment:
        return Markup("")
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    shown = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return Markup(f'<time datetime="{escape(moment.astimezone(UTC).isoformat())}">{shown}</time>')


def file_size(size_bytes: int) -> str:
    """A file's size as people read it: bytes, KB or MB (1024-based, as phones show them)."""
    if size_bytes < 1024:
        return f"{size_bytes} B"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / 1024 / 1024:.1f} MB"


def form_key() -> str:
    """A create form's Idempotency-Key, drawn when the page is rendered: the form sends it with
    every submit, so going Back and submitting again is answered with the first record."""
    return "form-" + secrets.token_hex(16)


templates.env.filters["yuan"] = yuan
templates.env.filters["file_size"] = file_size
templates.env.filters["local_time"] = local_time
templates.env.filters["article_key"] = article_key
templates.env.filters["in_claim_order"] = in_claim_order
templates.env.filters["raised_by"] = raised_by
templates.env.filters["losses_with"] = losses_with
templates.env.globals["losses_article"] = ART26_ARTICLE
templates.env.globals["server_time_ms"] = server_time_ms
templates.env.globals["form_key"] = form_key


def refusal_words(language: str, code: str, params: Params | None = None) -> str:
    """An error code as the API would say it to this reader (the API's catalogue, one for both)."""
    said = error_catalogue.message(code, language, params)
    return said or error_catalogue.message("step_failed", language) or code


def registration_words(language: str, code: str | None) -> str:
    """Where a unified social credit code says the business was registered, in the reader's
    language: the registration authority, the type of organisation and the province with the
    division code (GB 32100-2015, decoded by domain/credit_code.py). Printed beside the legal name
    so two businesses of one name are told apart; empty without a code, or for one that no longer
    parses (nothing is printed rather than a guess)."""
    if code is None:
        return ""
    try:
        parsed = credit_code.parse(code)
    except credit_code.CreditCodeError:
        return ""
    return translate(
        language,
        "credit_code.registration",
        authority=parsed.authority.say(language),
        type=parsed.organisation_type.say(language),
        region=parsed.region.say(language),
        division=parsed.division,
    )


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page in the reader's language; templates call `t("key")` for every word they show.
    A page given the signed-in `party` also gets its `unread` notifications (the header's count)."""
    language = language_of(request)
    page_context = {
        "lang": language,
        "languages": LANGUAGES,
        "t": partial(translate, language),
        "has_word": partial(has_word, language),
        "refusal": partial(refusal_words, language),
        "dispute_reason": partial(dispute_reason, language),
        "registration": partial(registration_words, language),
    }
    page_context.update(context or {})
    party = page_context.get("party")
    if isinstance(party, Party):  # every signed-in page shows the reader's unread count in its header
        with Session(request.app.state.engine) as session:
            page_context["unread"] = unread_count(session=session, party_id=party.id)
    return templates.TemplateResponse(request, name, page_context, status_code=status_code)
