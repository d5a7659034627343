"""Public consumer warnings (消费预警, docs/PUBLIC_RECORD.md "Consumer warnings").

- `/warnings` (the JSON API, council token, 403 `council_only` for anyone else): draft a warning, by
  hand or from a complaint spike (`spike`: the server finds its figures again with the same rule
  as /council/complaint-alerts), list and read drafts.
- `POST .../publication-signatures`, `POST .../withdrawal-signatures`: a council member's signed
  `warning.publish` (payload {warning, content}: the id and the digest of its words) or
  `warning.withdraw` (payload {warning, reason}), checked against the member's registration
  key as key recovery's two signatures are (db.keys.council_keys). The second DIFFERENT
  member's signature publishes (withdraws) it; the drafter may be either of the two.
- `POST .../discard`: any one council member discards a draft, with a reason (a draft is not
  public and no signature made it). The row stays, `discarded`, out of the council's list unless
  asked for (`?state=discarded`) and never public; its publication signatures are void.
- `/public/warnings` (page), `.json`, `.atom`: published and withdrawn warnings, never a draft.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.errors import ApiError, error_responses
from api.idempotency import IdempotencyKey, answer_once, header_key
from api.key_proof import require_fresh, signed_envelope
from api.models import SignedStepIn
from api.routes.businesses import CouncilMember, require_council
from api.warning_models import (
    NamedBusiness,
    SpikeFigures,
    WarningCouncil,
    WarningCreate,
    WarningDiscard,
    WarningPublic,
    WarningSignatureView,
    WarningState,
)
from config.settings import Settings
from db import crud, keys
from db import warnings as stored
from db.models import ConsumerWarning
from domain.calendar import SHANGHAI
from domain.roles import BUSINESS_ROLES
from domain.steps.signing import Envelope, SignedStep, signature_is_valid
from public_record.alerts import SpikeAlert, spikes
from public_record.complaints import all_disputes
from public_record.periods import Month, Quarter
from public_record.store import load_history
from public_record.warnings import (
    ATOM_TYPE,
    SIGNATURES_NEEDED,
    WARNING_PUBLISH,
    WARNING_WITHDRAW,
    FeedEntry,
    atom_feed,
    categories,
    words_digest,
)
from web.i18n import language_of, translate
from web.templating import render

council_router = APIRouter(
    prefix="/warnings",
    tags=["consumer warnings"],
    dependencies=[Depends(require_council)],
    responses=error_responses(401, 403),  # 403 `council_only`
)
public_router = APIRouter(prefix="/public", tags=["consumer warnings"])

COUNTS_URL = "/public/counts.json"
MAX_VALIDITY = timedelta(days=366)
SIGNING_ERRORS = error_responses(403, 404, 409, 422)


def _figures(row: ConsumerWarning, named: list[str]) -> SpikeFigures | None:
    spike = stored.spike(row)
    if spike is None:
        return None
    quarter = str(Quarter.of(Month.parse(spike["month"]).starts_at))
    hidden = spike["subject"] == "business" and spike["key"] not in named
    return SpikeFigures(
        subject=spike["subject"],
        key=None if hidden else spike["key"],
        label=None if hidden else spike["label"],
        month=spike["month"],
        quarter=quarter,
        count=spike["count"],
        baseline=spike["baseline"],
        mean=spike["mean"],
        sd=spike["sd"],
        threshold=spike["threshold"],
        counts_url=COUNTS_URL,
        quarter_url=f"/public/quarters/{quarter}",
    )


def council_view(session: Session, row: ConsumerWarning) -> WarningCouncil:
    named = stored.business_ids(row)
    return WarningCouncil(
        id=row.id,
        state=row.state,  # type: ignore[arg-type]
        title_zh=row.title_zh,
        title_en=row.title_en,
        text_zh=row.text_zh,
        text_en=row.text_en,
        category=row.category,
        business_ids=named,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        spike=_figures(row, named),
        content_hash=row.content_hash,
        created_by=row.created_by,
        created_at=row.created_at,
        published_at=row.published_at,
        withdrawal_reason=row.withdrawal_reason,
        withdrawn_at=row.withdrawn_at,
        discarded_by=row.discarded_by,
        discarded_at=row.discarded_at,
        discard_reason=row.discard_reason,
        signatures=[
            WarningSignatureView(purpose=s.purpose, member_id=s.member_id, signed_at=s.signed_at)  # type: ignore[arg-type]
            for s in stored.signatures(session=session, warning_id=row.id)
        ],
    )


def public_view(session: Session, row: ConsumerWarning, today: date) -> WarningPublic:
    assert row.published_at is not None and row.state in stored.PUBLIC_STATES
    named = stored.business_ids(row)
    businesses = []
    for party_id in named:
        party = crud.get_party(session=session, party_id=party_id)
        businesses.append(NamedBusiness(party_id=party_id, name=party.display_name if party else party_id))
    withdrawn = row.state == stored.WITHDRAWN
    return WarningPublic(
        id=row.id,
        state=row.state,  # type: ignore[arg-type]
        in_force=not withdrawn and row.valid_from <= today <= row.valid_until,
        title_zh=row.title_zh,
        title_en=row.title_en,
        text_zh=row.text_zh,
        text_en=row.text_en,
        category=row.category,
        businesses=businesses,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        published_at=row.published_at,
        withdrawn_at=row.withdrawn_at if withdrawn else None,
        withdrawal_reason=row.withdrawal_reason if withdrawn else None,
        spike=_figures(row, named),
        counts_url=COUNTS_URL,
    )


def published(session: Session) -> list[WarningPublic]:
    today = datetime.now(SHANGHAI).date()  # the council's calendar day
    return [
        public_view(session, row, today)
        for row in stored.listed(session=session, states=stored.PUBLIC_STATES)
    ]


def _warning(session: Session, warning_id: str) -> ConsumerWarning:
    row = stored.get(session=session, warning_id=warning_id)
    if row is None:
        raise ApiError(
            404, "warning_not_found", f"there is no warning {warning_id!r}", params={"warning_id": warning_id}
        )
    return row


def month_spikes(session: Session, month: Month) -> list[SpikeAlert]:
    """The month's spikes as /council/complaint-alerts finds them."""
    history = load_history(session=session)
    labels = {party_id: history.business(party_id).name for party_id in history.parties}
    return spikes(all_disputes(history), month, labels)


def _spike_figures(session: Session, body: WarningCreate) -> dict[str, Any] | None:
    if body.spike is None:
        return None
    for alert in month_spikes(session, Month.parse(body.spike.month)):
        if (alert.subject, alert.key) == (body.spike.subject, body.spike.key):
            return {
                "subject": alert.subject,
                "key": alert.key,
                "label": alert.label,
                "month": alert.month,
                "count": alert.count,
                "baseline": alert.baseline,
                "mean": round(alert.mean, 2),
                "sd": round(alert.sd, 2),
                "threshold": round(alert.threshold, 2),
            }
    raise ApiError(
        422,
        "no_such_spike",
        "the complaint alerts of that month hold no such spike",
        details={"field": "spike"},
    )


def _check_draft(session: Session, body: WarningCreate) -> None:
    if body.category not in categories():
        raise ApiError(
            422,
            "unknown_category",
            f"a warning's category is one of {', '.join(categories())}",
            details={"field": "category"},
        )
    if not timedelta(0) <= body.valid_until - body.valid_from <= MAX_VALIDITY:  # no date overflow
        raise ApiError(
            422,
            "bad_validity",
            "a warning is valid from a day to a day on or after it, for at most a year",
            details={"field": "valid_until"},
        )
    if len(set(body.business_ids)) != len(body.business_ids):
        raise ApiError(
            422, "duplicate_business", "each business is named once", details={"field": "business_ids"}
        )
    for party_id in body.business_ids:
        party = crud.get_party(session=session, party_id=party_id)
        if party is None or party.role not in BUSINESS_ROLES or party.verified_at is None:
            raise ApiError(
                422,
                "business_not_verified",
                f"{party_id!r} is not a verified business: a warning names verified businesses only",
                params={"party_id": party_id},
                details={"field": "business_ids"},
            )


@council_router.post("", status_code=201, response_model=WarningCouncil, responses=error_responses(409, 422))
def draft_warning(
    body: WarningCreate, member: CouncilMember, session: SessionDep, idempotency_key: IdempotencyKey = None
) -> WarningCouncil:
    """Draft a warning (not public until two council members sign it). 422 `unknown_category`,
    `bad_validity`, `business_not_verified`, `no_such_spike`. With an Idempotency-Key the same
    form sent twice makes one draft."""

    def create() -> tuple[dict[str, Any], str]:
        _check_draft(session, body)
        figures = _spike_figures(session, body)
        words = body.model_dump(exclude={"spike"})
        row = ConsumerWarning(
            id="",
            **{k: v for k, v in words.items() if k != "business_ids"},
            business_ids=json.dumps(body.business_ids),
            spike_json=json.dumps(figures) if figures else None,
            content_hash=words_digest(**words, spike=figures),
            created_by=member.id,
        )
        row = stored.create(session=session, warning=row, year=datetime.now(UTC).year)
        return council_view(session, row).model_dump(mode="json"), row.id

    key = header_key("warning.create", member.id, idempotency_key, body.model_dump(mode="json"), "warning")
    return WarningCouncil.model_validate(answer_once(session, key=key, input_type=str, create=create).answer)


@council_router.get("", response_model=list[WarningCouncil])
def list_warnings(
    session: SessionDep,
    state: Annotated[
        WarningState | None, Query(description="only this state; by default all but discarded drafts")
    ] = None,
) -> list[WarningCouncil]:
    """Every warning, drafts included, newest first (the 200 newest). Discarded drafts only when
    asked for with `state=discarded`: the council decided against them."""
    rows = stored.listed(session=session, states=(state,) if state else stored.LIVE_STATES)
    return [council_view(session, row) for row in rows]


@council_router.get("/{warning_id}", response_model=WarningCouncil, responses=error_responses(404))
def read_warning(warning_id: str, session: SessionDep) -> WarningCouncil:
    """One warning as the council sees it: its words, its figures, and who has signed what."""
    return council_view(session, _warning(session, warning_id))


def _signed(
    body: SignedStepIn, member_id: str, action: str, session: Session, settings: Settings
) -> Envelope:
    """The envelope of a council member's own signature: signed by `member_id` (the token's
    member) with its registration key, for `action`, just now."""
    step, envelope = signed_envelope(body, action)
    if envelope.signer != member_id:
        raise ApiError(403, "not_the_signer", "sign with your own key, as yourself")
    council = keys.council_keys(session)
    if member_id not in council or not signature_is_valid(council[member_id], step):
        raise ApiError(403, "bad_signature", "the envelope must be signed by your council key")
    require_fresh(envelope, settings)  # refused with how far off the member's clock is
    return envelope


def _record(
    session: Session, row: ConsumerWarning, purpose: str, member_id: str, body: SignedStepIn
) -> list[str]:
    try:
        stored.sign(
            session=session,
            warning_id=row.id,
            purpose=purpose,
            member_id=member_id,
            step=SignedStep(envelope=body.envelope, signature=body.signature),
            at=datetime.now(UTC),
        )
    except stored.AlreadySigned:
        raise ApiError(
            409, "already_signed", "you signed this already: another council member signs next"
        ) from None
    return stored.signers(session=session, warning_id=row.id, purpose=purpose)


@council_router.post(
    "/{warning_id}/publication-signatures", response_model=WarningCouncil, responses=SIGNING_ERRORS
)
def sign_publication(
    warning_id: str, body: SignedStepIn, member: CouncilMember, session: SessionDep, settings: SettingsDep
) -> WarningCouncil:
    """A member's signed `warning.publish` (subject: the warning's id; payload {warning, content}
    with the draft's `content_hash`). The second different member's signature publishes it.
    409 `already_signed` for the same member again, `warning_state` once published or discarded; 422
    `terms_mismatch` when the signature names other words."""
    row = _warning(session, warning_id)
    envelope = _signed(body, member.id, WARNING_PUBLISH, session, settings)
    if envelope.subject != row.id or envelope.payload != {"warning": row.id, "content": row.content_hash}:
        raise ApiError(422, "terms_mismatch", "sign this warning's id and the digest of its words")
    if row.state != stored.DRAFT:
        raise ApiError(409, "warning_state", f"the warning is {row.state}: only a draft is signed to publish")
    signed_by = _record(session, row, "publish", member.id, body)
    if len(set(signed_by)) >= SIGNATURES_NEEDED:
        row = stored.move(
            session=session,
            warning_id=row.id,
            from_state=stored.DRAFT,
            values={"state": stored.PUBLISHED, "published_at": datetime.now(UTC)},
        )
    return council_view(session, _warning(session, warning_id))


@council_router.post(
    "/{warning_id}/withdrawal-signatures", response_model=WarningCouncil, responses=SIGNING_ERRORS
)
def sign_withdrawal(
    warning_id: str, body: SignedStepIn, member: CouncilMember, session: SessionDep, settings: SettingsDep
) -> WarningCouncil:
    """A member's signed `warning.withdraw` (payload {warning, reason}); the first signature
    sets the reason and the second, by another member, must sign the same. 409 `warning_state`
    unless published; 422 `reason_required`, `terms_mismatch`."""
    row = _warning(session, warning_id)
    envelope = _signed(body, member.id, WARNING_WITHDRAW, session, settings)
    reason = envelope.payload.get("reason")
    if (
        set(envelope.payload) != {"warning", "reason"}
        or envelope.subject != row.id
        or envelope.payload["warning"] != row.id
    ):
        raise ApiError(422, "terms_mismatch", "sign this warning's id and the reason for withdrawing it")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise ApiError(422, "reason_required", "say in up to 1000 characters why the warning is withdrawn")
    if row.state != stored.PUBLISHED:
        raise ApiError(
            409, "warning_state", f"the warning is {row.state}: only a published warning is withdrawn"
        )
    if row.withdrawal_reason is not None and row.withdrawal_reason != reason:
        raise ApiError(422, "terms_mismatch", "sign the reason the first member gave, or leave it")
    signed_by = _record(session, row, "withdraw", member.id, body)
    if row.withdrawal_reason is None:
        stored.move(
            session=session,
            warning_id=row.id,
            from_state=stored.PUBLISHED,
            values={"withdrawal_reason": reason},
        )
    if len(set(signed_by)) >= SIGNATURES_NEEDED:
        stored.move(
            session=session,
            warning_id=row.id,
            from_state=stored.PUBLISHED,
            values={"state": stored.WITHDRAWN, "withdrawn_at": datetime.now(UTC)},
        )
    return council_view(session, _warning(session, warning_id))


@council_router.post(
    "/{warning_id}/discard", response_model=WarningCouncil, responses=error_responses(404, 409, 422)
)
def discard_warning(
    warning_id: str, body: WarningDiscard, member: CouncilMember, session: SessionDep
) -> WarningCouncil:
    """Any council member discards a draft, saying why: it is kept, `discarded`, with who, when
    and the reason, and can never be published (the publication signatures it had are void).
    Discarding it again answers it as it is: the first member, moment and reason stay. 409
    `warning_state` for a published or withdrawn warning: two signatures withdraw those."""
    row = _warning(session, warning_id)
    if row.state == stored.DRAFT:  # a second signature publishing it at once: one of the two wins
        row = stored.move(
            session=session,
            warning_id=row.id,
            from_state=stored.DRAFT,
            values={
                "state": stored.DISCARDED,
                "discarded_by": member.id,
                "discarded_at": datetime.now(UTC),
                "discard_reason": body.reason,
            },
        )
    if row.state != stored.DISCARDED:
        raise ApiError(
            409,
            "warning_state",
            f"the warning is {row.state}: only a draft is discarded; two signatures withdraw a published one",
        )
    return council_view(session, row)


# ------------------------------------------------------------------------ public
@public_router.get("/warnings.json", response_model=list[WarningPublic])
def warnings_json(session: SessionDep) -> list[WarningPublic]:
    """Every published consumer warning, newest first; withdrawn ones stay, marked `withdrawn`
    with the reason. Drafts are never here."""
    return published(session)


@public_router.get("/warnings.atom", response_class=Response, responses={200: {"content": {ATOM_TYPE: {}}}})
def warnings_atom(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The same warnings as an Atom feed, in the reader's language (`?lang=en`)."""
    t = _translator(request)
    zh = language_of(request) == "zh-CN"
    found = published(session)
    entries = [
        FeedEntry(
            id=w.id,
            title=(t("warnings.withdrawn_prefix") if w.state == "withdrawn" else "")
            + (w.title_zh if zh else w.title_en),
            summary=(w.text_zh if zh else w.text_en)
            + (f"\n{t('warnings.withdrawal_reason')}: {w.withdrawal_reason}" if w.withdrawal_reason else ""),
            link=f"/public/warnings#{w.id}",
            published=w.published_at,
            updated=w.withdrawn_at or w.published_at,
            withdrawn=w.state == "withdrawn",
        )
        for w in found
    ]
    updated = max((e.updated for e in entries), default=datetime(2026, 1, 1, tzinfo=UTC))
    body = atom_feed(
        base_url=settings.public_url.rstrip("/"), title=t("warnings.title"), updated=updated, entries=entries
    )
    return Response(body, media_type=ATOM_TYPE)


@public_router.get("/warnings", response_class=HTMLResponse, include_in_schema=False)
def warnings_page(request: Request, session: SessionDep) -> HTMLResponse:
    found = published(session)
    context = {
        "current": [w for w in found if w.state == "published"],
        "withdrawn": [w for w in found if w.state == "withdrawn"],
    }
    return render(request, "public/warnings.html", context)


def _translator(request: Request) -> Callable[..., str]:
    language = language_of(request)
    return lambda key, **values: translate(language, key, **values)
