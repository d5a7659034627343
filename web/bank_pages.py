"""Bank staff's pages: deposits awaiting confirmation, and the ledger.

Decision: bank staff are parties with role `bank` (no migration: the role is a plain text
column), enrolled with the bank's admin token as `X-Enrolment-Secret`, and sign in like
everyone else. The API process reads the bank server side with `BankClient` and the
settings' bank URL and admin token; the token never reaches the browser, and only a
signed-in `bank` party gets these pages.

Bank staff also record an owner's transfer as it arrives (`POST /bank/deposits`, the JSON
API with the staff member's bearer token, never the page cookie, which only shows pages):
the API process makes the deposit at the bank under an idempotency key the page minted, so
a double click books it once; the bank then confirms it to the escrow by its webhook. A
deposit larger than what the escrow still waits for by the bank's own books is refused (two
staff booking the same escrow at the same instant could both pass: the escrow refunds any
excess, so the money stays safe). The page's suggested amount counts deposits the bank holds
but has not confirmed yet, from the read model and the bank's outbox.

"Awaiting confirmation" is read from both ends: escrows signed and waiting for their
deposit (the read model, phase `funding`), and deposits the bank holds whose confirmation
the platform has not acknowledged yet (the bank's webhook outbox), which is money on an
account its escrow does not know about yet.
"""

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import HTMLResponse

from api.deps import CurrentParty, SessionDep, SettingsDep
from api.errors import ApiError, error_responses
from api.models import PositiveFen
from db import crud
from db.models import EscrowProjection, Party
from domain.money import yuan
from domain.roles import Role
from sandbox_bank.client import BankClient, BankError, BankRejected, JournalEntry, UnconfirmedDeposit
from web.access import PageRefused, PageRoute, require_roles
from web.case_reads import problem_page
from web.charts import Bar, Series, bar_chart, step_chart
from web.i18n import translator
from web.templating import render

router = APIRouter(prefix="/bank", tags=["pages"], include_in_schema=False, route_class=PageRoute)

BankStaff = Annotated[Party, Depends(require_roles("bank"))]
JOURNAL_SHOWN = 100
KINDS = ("deposit", "payout", "refund")


def bank_unreachable(request: Request, error: BankError) -> PageRefused:
    problem = ApiError(503, "bank_unavailable", str(error))
    return PageRefused(problem_page(request, problem))


def outstanding_fen(row: EscrowProjection, unconfirmed: list[UnconfirmedDeposit]) -> int:
    """What the escrow still waits for, counting deposits the bank holds but has not confirmed yet."""
    pending = sum(d.amount_fen for d in unconfirmed if d.account_id == row.escrow_id)
    return max(row.total_fen - row.deposited_fen - pending, 0)


@router.get("", response_class=HTMLResponse)
async def awaiting_deposits(
    request: Request, staff: BankStaff, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    funding = crud.list_escrows_by_status(session=session, status="funding")
    try:
        async with BankClient.from_settings(settings) as bank:
            unconfirmed = await bank.unconfirmed_deposits()
    except BankError as error:
        raise bank_unreachable(request, error) from None
    rows = [
        {"row": row, "outstanding_fen": outstanding_fen(row, unconfirmed), "key": secrets.token_hex(16)}
        for row in funding
    ]
    context = {"party": staff, "funding": rows, "unconfirmed": unconfirmed, "desk_words": DESK_WORDS}
    return render(request, "bank/deposits.html", context)


def held_over_time(held_now: int, newest_first: list[JournalEntry]) -> list[tuple[datetime, int]]:
    """What the escrow accounts held after each listed movement, walked back from today's total."""
    points = []
    held = held_now
    for entry in newest_first:
        points.append((entry.created_at, held))
        held += -entry.amount_fen if entry.kind == "deposit" else entry.amount_fen
    return points[::-1]


@router.get("/ledger", response_class=HTMLResponse)
async def ledger(request: Request, staff: BankStaff, settings: SettingsDep) -> HTMLResponse:
    t = translator(request)
    try:
        async with BankClient.from_settings(settings) as bank:
            check = await bank.ledger_check()
            journal = await bank.journal(JOURNAL_SHOWN)
    except BankError as error:
        raise bank_unreachable(request, error) from None
    totals = [Bar(t(f"bank.kind_{kind}"), journal.totals_fen.get(kind, 0)) for kind in KINDS]
    totals.append(Bar(t("bank.held"), journal.held_fen))
    if not any(bar.value for bar in totals):
        totals = []  # nothing has moved yet: say so rather than draw empty bars
    context = {
        "party": staff,
        "check": check,
        "journal": journal,
        "totals_chart": bar_chart(
            totals,
            title=t("bank.totals_title"),
            empty_text=t("chart.no_data"),
            value_format=yuan,
        ),
        "held_chart": step_chart(
            [Series(t("bank.held"), held_over_time(journal.held_fen, journal.entries))],
            title=t("bank.held_title"),
            empty_text=t("chart.no_data"),
            value_format=yuan,
        ),
    }
    return render(request, "bank/ledger.html", context)


# ------------------------------------------------------------------ the bank desk (JSON API)
api_router = APIRouter(prefix="/bank", tags=["bank staff"], responses=error_responses(401, 403))
DESK_WORDS = ["error.amount", "error.step", "desk.confirm", "desk.recorded"]


class DepositRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    escrow_id: str = Field(pattern=r"^ESC-\d{4}-\d{5,}$")
    amount_fen: PositiveFen
    idempotency_key: str = Field(pattern=r"^ESC-\d{4}-\d{5,}:deposit-[0-9a-f]{16,64}$")


class DepositRecorded(BaseModel):
    tx_id: str
    replayed: bool


@api_router.post(
    "/deposits", status_code=201, response_model=DepositRecorded, responses=error_responses(404, 409, 503)
)
async def record_deposit(
    body: DepositRecord, party: CurrentParty, session: SessionDep, settings: SettingsDep
) -> DepositRecorded:
    """Record an owner's transfer as received; the bank confirms it to the escrow by webhook."""
    if party.role != Role.BANK.value:
        raise ApiError(403, "bank_staff_only", "only bank staff record deposits")
    if not body.idempotency_key.startswith(f"{body.escrow_id}:"):
        raise ApiError(422, "bad_idempotency_key", "the key must name the escrow it deposits into")
    row = crud.get_escrow_projection(session=session, escrow_id=body.escrow_id)
    if row is None:
        raise ApiError(404, "escrow_not_found", f"there is no escrow {body.escrow_id}")
    if row.status != "funding":
        raise ApiError(409, "not_awaiting_deposit", f"{body.escrow_id} is not waiting for a deposit")
    try:
        async with BankClient.from_settings(settings) as bank:
            # The bank's own books decide what is still due (the read model may lag its webhook);
            # a retried click passes, and the bank answers with its first booking.
            booked = {entry.idempotency_key for entry in await bank.statement(body.escrow_id)}
            due = row.total_fen - (await bank.balance(body.escrow_id)).deposited_fen
            if body.amount_fen > due and body.idempotency_key not in booked:
                raise ApiError(
                    409,
                    "amount_above_outstanding",
                    f"{body.escrow_id} waits for {yuan(max(due, 0))} at most",
                    params={"outstanding_fen": max(due, 0)},
                )
            moved = await bank.deposit(
                body.escrow_id,
                body.amount_fen,
                payer=row.owner_id,
                reference=f"transfer recorded by {party.id}",
                idempotency_key=body.idempotency_key,
            )
    except BankRejected as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    except BankError as error:
        raise ApiError(503, "bank_unavailable", str(error)) from None
    return DepositRecorded(tx_id=moved.tx_id, replayed=moved.replayed)
