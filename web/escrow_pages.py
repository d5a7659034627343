"""The escrow pages: a party's escrows, one escrow with its timeline and the step waiting
for the reader (and, for an open dispute, the claim that takes it to the council; while the
contract can be cancelled, proposing or agreeing to that), and the owner's contract form.
Steps are signed in the browser and posted to the JSON API by `static/steps.js`; these
routes only read."""

import asyncio
from datetime import UTC, datetime
from functools import partial

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from api.deposit_instructions import deposit_instructions, deposit_qr_text
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.escrow_access import read_escrow
from api.qr import qr_svg
from db import crud
from domain.calendar import SHANGHAI
from domain.case.terms import RENOVATION
from domain.escrow.steps import ESCROW_STEPS
from domain.escrow.terms import DEFAULT_STAGE_PLAN
from domain.money import yuan
from domain.roles import Role
from expert_panels.registry import SPECIALTIES
from web.bank_statements import bank_statements
from web.cancellation_view import cancellation
from web.charts import step_chart
from web.claim_forms import CLAIM_WORDS, fileable_disputes
from web.escrow_list import escrow_list_row
from web.escrow_view import actions_of, chart_series, funds_over_time, retention_view, stage_views
from web.evidence_view import escrow_files, files_shown
from web.i18n import language_of, translate
from web.session import SignedInParty
from web.step_words import STEPS_JS_WORDS
from web.templating import render

router = APIRouter(prefix="/my/escrows", tags=["pages"], include_in_schema=False)

# What static/contract.js says about each typed party id (its card), in the reader's language.
CARD_WORDS = [
    *(
        f"card.{key}"
        for key in ("looking", "not_found", "verified", "unverified", "wrong_role", "legal_name")
    ),
    *("card.credit_code", "card.refused", "role.owner", "role.contractor", "role.inspector", "role.council"),
    *("role.expert", "role.bank", "role.buyer", "role.dealer"),
    *("rating.column", "rating.unrated", "rating.aria"),
]
# What static/contract.js says about the payment plan it edits, and the standard stages' names.
PLAN_WORDS: list[str | tuple[str, str]] = [
    *(
        f"contract_form.{key}"
        for key in ("sum", "matches", "short", "over", "no_total", "refused", "mismatch", "no_stages")
    ),
    *(f"contract_form.{key}" for key in ("name_required", "amount_required", "bad_amount", "bad_retention")),
    *("contract_form.stage_name", "contract_form.filling"),
    # the form's own sentence for these refusals, asked for as errors.<code> (Steps.showError)
    ("errors.total_too_small", "contract_form.too_small"),
    ("errors.idempotency_key_reused", "contract_form.key_reused"),
    *(f"plan.{name}" for name, _ in DEFAULT_STAGE_PLAN),
]
CHART_LINES = {
    "deposit": "money.deposited",
    "payout": "money.released",
    "refund": "money.refunded",
    "held": "money.held",
}

# The words steps.js needs to describe an envelope before it is signed.
SIGNED_FIELDS = [
    "action",
    "subject",
    "signer",
    "terms_hash",
    "stage",
    "round",
    "result",
    "report_hash",
    "defects",
    "description",
    "location",
    "cost_estimate_fen",
    "amount_fen",
    "pay_fen",
    "holdbacks",
    "item",
    "items",
    "reason",
    "stages",
    "include_retention",
    "evidence",
    "note",
    "files",
    "photos",
    "claim",
]
STEP_WORDS = [
    *STEPS_JS_WORDS,
    *(f"field.{name}" for name in SIGNED_FIELDS),
    *(f"action.{step.action}" for step in ESCROW_STEPS if step.path),
    "result.pass",
    "result.fail",
    "error.defects_required",
    "error.item_note_required",
    "field.inspection.request.items",
    "error.holdbacks_required",
    "error.holdback_too_large",
    "error.choose_items",
    "error.choose_disputed",
    "error.reason_required",
    *CLAIM_WORDS,
]


def stage_name(language: str, name: str) -> str:
    """The default plan's stage names are data in English; show them in the reader's language."""
    key = f"plan.{name}"
    shown = translate(language, key)
    return name if shown == key else shown


@router.get("", response_class=HTMLResponse)
def my_escrows(request: Request, party: SignedInParty, session: SessionDep) -> HTMLResponse:
    """The party's escrows, newest first, each with its title, the other side by name, the money held
    and whom it waits for (web/escrow_list.py)."""
    stored = crud.list_escrows_for_party(session=session, party_id=party.id, limit=200)
    rows = [escrow_list_row(row, party.id) for row in stored]
    ids = sorted({party_id for row in rows for _, party_id in row.others})
    names = {p.id: p.display_name for p in crud.list_parties(session=session, ids=ids)}
    return render(request, "escrow/list.html", {"party": party, "escrows": rows, "names": names})


@router.get("/new", response_class=HTMLResponse)
def new_contract(request: Request, party: SignedInParty) -> HTMLResponse:
    """The owner's draft: each typed party id is shown as its card, and the payment plan starts as
    the standard stages, their amounts split from the total by the API (static/contract.js)."""
    language = language_of(request)
    standard = [(name, stage_name(language, name)) for name, _ in DEFAULT_STAGE_PLAN]
    context = {"party": party, "card_words": CARD_WORDS + PLAN_WORDS, "standard_stages": standard}
    return render(request, "escrow/new.html", context)


@router.get("/{escrow_id}", response_class=HTMLResponse)
async def escrow_page(
    request: Request,
    escrow_id: str,
    party: SignedInParty,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> HTMLResponse:
    # The workflow and the bank are asked at once: the page waits for the slower, not for both
    # in turn (the bank's answer is dropped unread when the reader may not see the escrow).
    read = asyncio.gather(read_escrow(temporal, escrow_id, party), bank_statements(settings, [escrow_id]))
    try:
        (snapshot, role), statements = await read
    except ApiError as exc:
        context = {"party": party, "escrow_id": escrow_id, "error": exc}
        return render(request, "escrow/missing.html", context, status_code=exc.status)
    language = language_of(request)
    ids = [snapshot.owner_id, snapshot.contractor_id, snapshot.inspector_id]
    names = {p.id: p.display_name for p in crud.list_parties(session=session, ids=ids)}
    statement = statements[escrow_id]
    lines = funds_over_time(statement or [], datetime.now(UTC))
    chart = step_chart(
        chart_series(lines, {key: translate(language, word) for key, word in CHART_LINES.items()}),
        title=translate(language, "chart.funds_title", escrow=escrow_id),
        empty_text=translate(language, "chart.funds_empty"),
        value_format=yuan,
        height=280,
        time_format=lambda moment: moment.astimezone(SHANGHAI).strftime("%m-%d %H:%M"),
    )
    context = {
        "party": party,
        "escrow": snapshot,
        "role": role,
        "names": names,
        "stages": stage_views(snapshot),
        "retention": retention_view(snapshot),
        "yours": actions_of(snapshot, role),
        "awaited": {action.action for action in snapshot.awaited()},
        "chart": chart,
        "statement": statement or [],
        "bank_answered": statement is not None,
        "disputable_stages": snapshot.disputable.stages,
        "retention_disputable": snapshot.disputable.retention,
        "fileable_disputes": fileable_disputes(snapshot, role),
        "cancellation": cancellation(snapshot, role),
        "specialties": SPECIALTIES[RENOVATION],
        "trail": crud.list_audit_entries(session=session, subject_id=escrow_id),
        "deposit": deposit_instructions(snapshot, settings),
        "step_words": STEP_WORDS,
        "stage_name": partial(stage_name, language),
        "evidence": files_shown(
            session, party, [escrow_id], escrow_files(snapshot.stages, snapshot.disputes, snapshot.claims)
        ),
    }
    return render(request, "escrow/detail.html", context)


@router.get("/{escrow_id}/deposit-qr.svg", response_class=Response)
async def deposit_qr(
    escrow_id: str, party: SignedInParty, settings: SettingsDep, temporal: TemporalDep
) -> Response:
    """The deposit step's QR code (the account, the reference to quote, the amount due), for the
    owner, who pays: anyone else who reads the escrow gets 403, an outsider the usual refusal."""
    snapshot, role = await read_escrow(temporal, escrow_id, party)
    if role != Role.OWNER:
        raise ApiError(403, "deposit_owner_only", "the deposit instructions are for the escrow's owner")
    text = deposit_qr_text(deposit_instructions(snapshot, settings))
    return Response(qr_svg(text), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/{escrow_id}/version")
async def escrow_version(escrow_id: str, party: SignedInParty, temporal: TemporalDep) -> dict[str, int]:
    """What the page polls to know when to refresh (a deposit or a bank receipt arrived)."""
    snapshot, _ = await read_escrow(temporal, escrow_id, party)
    return {"version": snapshot.version}
