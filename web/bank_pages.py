"""Bank staff's pages: deposits awaiting confirmation, and the ledger.

Decision: bank staff are parties with role `bank` (no migration: the role is a plain text
column), enrolled with the bank's admin token as `X-Enrolment-Secret`, and sign in like
everyone else. The API process reads the bank server side with `BankClient` and the
settings' bank URL and admin token; the token never reaches the browser, and only a
signed-in `bank` party gets these pages.

"Awaiting confirmation" is read from both ends: escrows signed and waiting for their
deposit (the read model, phase `funding`), and deposits the bank holds whose confirmation
the platform has not acknowledged yet (the bank's webhook outbox), which is money on an
account its escrow does not know about yet.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from db import crud
from db.models import Party
from domain.money import yuan
from sandbox_bank.client import BankClient, BankError, JournalEntry
from web.access import PageRefused, PageRoute, require_roles
from web.case_reads import problem_page
from web.charts import PHONE_BAR_WIDTH, Bar, Series, bar_chart, step_chart
from web.i18n import translator
from web.templating import render

router = APIRouter(prefix="/bank", tags=["pages"], include_in_schema=False, route_class=PageRoute)

BankStaff = Annotated[Party, Depends(require_roles("bank"))]
JOURNAL_SHOWN = 100
KINDS = ("deposit", "payout", "refund")


def bank_unreachable(request: Request, error: BankError) -> PageRefused:
    problem = ApiError(503, "bank_unavailable", str(error))
    return PageRefused(problem_page(request, problem))


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
    context = {
        "party": staff,
        "funding": [{"row": row, "outstanding_fen": row.total_fen - row.deposited_fen} for row in funding],
        "unconfirmed": unconfirmed,
    }
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
            width=PHONE_BAR_WIDTH,
        ),
        "held_chart": step_chart(
            [Series(t("bank.held"), held_over_time(journal.held_fen, journal.entries))],
            title=t("bank.held_title"),
            empty_text=t("chart.no_data"),
            value_format=yuan,
        ),
    }
    return render(request, "bank/ledger.html", context)
