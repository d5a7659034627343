"""`escrow calendar`: count working days as a case does, and hand a newer calendar to open cases.

`--from YYYY-MM-DD --working-days N` builds the calendar a case filed that day would get
(python-holidays' China calendar and the override file, config/calendar_cn.py), prints the
days off the count skips and the weekend days it counts, then, as its last line, the due date
and whether it is official or provisional, so a clerk can check any deadline.

`--push` sends each running case workflow the calendar for its years (its filing year to
`YEARS_AHEAD` after this year) by the `update_calendar` signal, after a notice was added to
the override file or python-holidays was upgraded: each recounts its pending working-day
deadlines and alerts the council to any that moved (docs/CASES.md "Working days").
"""

import asyncio
from datetime import date, datetime, time, timedelta

import typer
from rich.console import Console
from rich.table import Table
from temporalio.client import Client

from config.calendar_cn import YEARS_AHEAD, library_days
from config.settings import Settings
from domain.calendar import SHANGHAI, WorkCalendar
from workflows.case import CaseWorkflow
from workflows.connection import connect_temporal

OPEN_CASES = "WorkflowType = 'DisputeWorkflow' AND ExecutionStatus = 'Running'"

console = Console()


def due_line(calendar: WorkCalendar, start: date, working_days: int) -> tuple[date, str]:
    """The `working_days`-th working day after `start`, and whether it is official or provisional."""
    begin = datetime.combine(start, time(12), SHANGHAI)
    due = calendar.add_working_days(begin, working_days)
    status = "provisional" if calendar.provisional_between(begin, due) else "official"
    return due.astimezone(SHANGHAI).date(), status


def show_count(settings: Settings, start: date, working_days: int) -> int:
    calendar = settings.work_calendar(start.year)
    due, status = due_line(calendar, start, working_days)
    names = library_days(start.year, due.year)
    table = Table(title=f"{working_days} working days from {start.isoformat()}")
    for column in ("date", "day", "counted", "why", "year"):
        table.add_column(column)
    day = start
    while day < due:
        day += timedelta(days=1)
        weekend = day.weekday() >= 5
        if day in calendar.holidays or day in calendar.makeup_workdays:
            why = names.get(day) or ("make-up working day" if weekend else "day off")
            year = "provisional" if day.year in calendar.provisional_years else "official"
            counted = "yes" if calendar.is_working_day(day) else "no"
            table.add_row(day.isoformat(), day.strftime("%a"), counted, why, year)
    if table.row_count:
        console.print(table)
    typer.echo(f"{due.isoformat()} {status}")
    return 0


async def open_case_ids(client: Client, query: str = OPEN_CASES) -> list[tuple[str, datetime]]:
    """The running case workflows and when each was filed."""
    return [(found.id, found.start_time) async for found in client.list_workflows(query)]


async def push_calendar(settings: Settings, client: Client, query: str = OPEN_CASES) -> list[str]:
    """Send each running case the calendar for its years; the workflow ids signalled."""
    last = datetime.now(SHANGHAI).year + YEARS_AHEAD
    documents: dict[int, dict[str, list[str]]] = {}
    sent = []
    for workflow_id, started in await open_case_ids(client, query):
        filed = started.astimezone(SHANGHAI).year
        if filed not in documents:
            documents[filed] = settings.work_calendar(filed, max(last, filed + YEARS_AHEAD)).document()
        handle = client.get_workflow_handle_for(CaseWorkflow.run, workflow_id)
        await handle.signal(CaseWorkflow.update_calendar, documents[filed])
        sent.append(workflow_id)
    return sent


def run_push(settings: Settings) -> int:
    async def push() -> list[str]:
        return await push_calendar(settings, await connect_temporal(settings))

    sent = asyncio.run(push())
    typer.echo(f"calendar sent to {len(sent)} open case(s)")
    return 0
