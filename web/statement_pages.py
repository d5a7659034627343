"""Money statements: one escrow's, and one across all of a contractor's (or an owner's) escrows,
each as a printable page and as CSV. The lines are joined in domain/escrow/statement.py; this
module fetches what it joins and words it for the reader.

Who reads what: an escrow's statement, whoever may read the escrow (the escrow page's own check,
api/escrow_access.py); the statement across escrows, a contractor over the escrows they build
and an owner over the escrows they pay for (an inspector's escrows move none of their money).
The across statement reads each escrow from the read model rather than asking every workflow,
so it may trail a step by the projection's delay; each escrow's own statement is current.

The CSV starts with a byte-order mark so that Excel reads it as UTF-8 (Chinese titles and
words), and every cell goes through domain/spreadsheet.py so none is read as a formula. Its
amounts are plain numbers in yuan (two decimals) so a spreadsheet can add them up; dates are
Asia/Shanghai, as the bank's statements are.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.escrow_access import read_escrow
from db import crud
from db.models import Party
from domain.calendar import SHANGHAI
from domain.escrow.snapshot import EscrowSnapshot, read_summary
from domain.escrow.statement import (
    CONFIRMED,
    EVENT_CAUSES,
    PENDING,
    REFUSED,
    LineKind,
    StatementLine,
    TrailStep,
    across,
    escrow_statement,
    totals,
)
from domain.spreadsheet import csv_text
from web.access import PageRefused, PageRoute, require_roles
from web.bank_statements import bank_statements
from web.escrow_pages import stage_name
from web.i18n import language_of, translate
from web.server_text import movement_reason
from web.session import SignedInParty
from web.templating import render

router = APIRouter(prefix="/my", tags=["pages"], include_in_schema=False, route_class=PageRoute)
MoneyParty = Annotated[Party, Depends(require_roles("contractor", "owner"))]

# a movement's, then a holdback's (domain/escrow/state.py Holdback.status)
STATUSES = (CONFIRMED, PENDING, REFUSED, "held", "released", "settled", "refunded")
# the words this module builds from a line's kind, status and cause (tests/web/test_words.py)
STATEMENT_WORDS = (
    *(f"money_statement.kind.{kind}" for kind in LineKind),
    *(f"money_statement.status.{status}" for status in STATUSES),
    *(f"money_statement.cause.{cause}" for cause in EVENT_CAUSES),
)
CSV_COLUMNS = (
    "date",
    "escrow",
    "title",
    "kind",
    "status",
    "amount",
    "reference",
    "tx_id",
    "cause",
    "part",
    "seq",
    "link",
)
BOM = "\ufeff"


@dataclass(frozen=True)
class ShownLine:
    """A statement line in the reader's words: what the page's table and the CSV's row show."""

    date: str
    escrow_id: str
    title: str
    kind: str
    status: str
    status_code: str
    amount_fen: int
    reference: str
    tx_id: str
    cause: str
    part: str
    seq: int | None
    link: str


@dataclass(frozen=True)
class Statement:
    """What a statement page or CSV shows: the escrows it covers, their lines, whether the bank answered."""

    snapshots: list[EscrowSnapshot]
    lines: list[StatementLine]
    bank_answered: bool


def trail_steps(session: Session, escrow_id: str) -> list[TrailStep]:
    return [
        TrailStep(row.seq, row.action, row.recorded_at, json.loads(row.envelope_json).get("payload", {}))
        for row in crud.list_audit_entries(session=session, subject_id=escrow_id)
    ]


def shown(line: StatementLine, stage_names: dict[tuple[str, int], str], language: str) -> ShownLine:
    say = partial(translate, language)
    parts = [
        say("money_statement.stage", number=n, name=stage_names.get((line.escrow_id, n), ""))
        for n in line.part.stages
    ]
    if line.part.retention:
        parts.append(say("timeline.retention"))
    cause = line.cause
    page = f"/my/escrows/{line.escrow_id}"
    return ShownLine(
        date=line.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if line.at else "",
        escrow_id=line.escrow_id,
        title=line.title,
        kind=say(f"money_statement.kind.{line.kind}"),
        status=say(f"money_statement.status.{line.status}"),
        status_code=line.status,
        amount_fen=line.amount_fen,
        reference=movement_reason(language, line.reference),  # ours are codes; a payer's as typed
        tx_id=line.tx_id,
        cause=say(f"action.{cause.action}" if cause.seq else f"money_statement.cause.{cause.action}"),
        part=" · ".join(parts),
        seq=cause.seq,
        link=f"{page}#step-{cause.seq}" if cause.seq else page,
    )


def shown_lines(
    request: Request, snapshots: Sequence[EscrowSnapshot], lines: Sequence[StatementLine]
) -> list[ShownLine]:
    language = language_of(request)
    names = {
        (s.escrow_id, stage.number): stage_name(language, stage.name) for s in snapshots for stage in s.stages
    }
    return [shown(line, names, language) for line in lines]


def csv_response(request: Request, statement: Statement, filename: str) -> Response:
    say = partial(translate, language_of(request))
    lines = shown_lines(request, statement.snapshots, statement.lines)
    base = str(request.base_url).rstrip("/")
    rows = [[say(f"money_statement.column.{column}") for column in CSV_COLUMNS]]
    for line in lines:
        whole, cents = divmod(line.amount_fen, 100)
        rows.append(
            [
                line.date,
                line.escrow_id,
                line.title,
                line.kind,
                line.status,
                f"{whole}.{cents:02d}",
                line.reference,
                line.tx_id,
                line.cause,
                line.part,
                str(line.seq or ""),
                base + line.link,
            ]
        )
    return Response(
        BOM + csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


async def one_escrow(
    request: Request,
    escrow_id: str,
    party: SignedInParty,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> Statement:
    """The escrow's statement, for whoever may read the escrow; anyone else gets the escrow
    page's own refusal, as a page."""
    try:
        snapshot, _ = await read_escrow(temporal, escrow_id, party)
    except ApiError as exc:
        context = {"party": party, "escrow_id": escrow_id, "error": exc}
        raise PageRefused(render(request, "escrow/missing.html", context, status_code=exc.status)) from None
    bank = (await bank_statements(settings, [escrow_id]))[escrow_id]
    lines = escrow_statement(snapshot, bank, trail_steps(session, escrow_id))
    return Statement([snapshot], lines, bank is not None)


async def own_escrows(party: MoneyParty, session: SessionDep, settings: SettingsDep) -> Statement:
    """The statement across the escrows the party builds (a contractor) or pays for (an owner)."""
    rows = crud.list_escrows_for_party(session=session, party_id=party.id, limit=200)
    mine = [
        row for row in rows if party.id == (row.contractor_id if party.role == "contractor" else row.owner_id)
    ]
    snapshots = [read_summary(row.summary_json) for row in mine]
    bank = await bank_statements(settings, [s.escrow_id for s in snapshots])
    statements = [
        escrow_statement(s, bank[s.escrow_id], trail_steps(session, s.escrow_id)) for s in snapshots
    ]
    return Statement(snapshots, across(statements), all(answer is not None for answer in bank.values()))


OneEscrow = Annotated[Statement, Depends(one_escrow)]
OwnEscrows = Annotated[Statement, Depends(own_escrows)]


def statement_page(request: Request, party: Party, statement: Statement, csv: str, one: bool) -> HTMLResponse:
    context = {
        "party": party,
        "escrow": statement.snapshots[0] if one else None,
        "escrows": len(statement.snapshots),
        "lines": shown_lines(request, statement.snapshots, statement.lines),
        "totals": totals(statement.lines),
        "bank_answered": statement.bank_answered,
        "csv": csv,
    }
    return render(request, "escrow/statement.html", context)


@router.get("/escrows/{escrow_id}/statement", response_class=HTMLResponse)
def escrow_statement_page(
    request: Request, escrow_id: str, party: SignedInParty, statement: OneEscrow
) -> HTMLResponse:
    return statement_page(request, party, statement, f"/my/escrows/{escrow_id}/statement.csv", one=True)


@router.get("/escrows/{escrow_id}/statement.csv", response_class=Response)
def escrow_statement_csv(request: Request, escrow_id: str, statement: OneEscrow) -> Response:
    return csv_response(request, statement, f"statement-{escrow_id}")


@router.get("/statement", response_class=HTMLResponse)
def party_statement_page(request: Request, party: MoneyParty, statement: OwnEscrows) -> HTMLResponse:
    return statement_page(request, party, statement, "/my/statement.csv", one=False)


@router.get("/statement.csv", response_class=Response)
def party_statement_csv(request: Request, party: MoneyParty, statement: OwnEscrows) -> Response:
    return csv_response(request, statement, f"statement-{party.id}")
