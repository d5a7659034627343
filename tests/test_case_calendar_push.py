"""`escrow calendar --push` on the real Temporal server: an open case takes the newer calendar.

A notice added to the override file after a case was filed reaches it by the `update_calendar`
signal (recorded in the case's history); the pending acceptance deadline is counted again on it,
recorded for the parties to read (`recounts`) and the council is alerted that it moved (DESIGN
"Time", docs/CASES.md "Working days"). A document that is no calendar is refused with an alert
and leaves the case as it was.
"""

import asyncio
import json
from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session

from cli.calendar import OPEN_CASES, open_case_ids, push_calendar
from client.escrow_session import eventually
from db import crud
from domain.calendar import SHANGHAI
from domain.case.terms import CAR
from tests.kits.case_workflow_kit import start_case
from workflows.case import CaseWorkflow


def next_weekdays(after: date, count: int) -> list[date]:
    days: list[date] = []
    day = after
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


async def test_an_open_case_recounts_its_acceptance_on_a_pushed_calendar(
    stack, registry, tmp_path, record_history
):
    engine, task_queue = registry
    case = await start_case(stack, registry, CAR, disputed_fen=30_000_000)  # filed with no holidays
    filed = await case.state()
    filed_on = filed.filed_at.astimezone(SHANGHAI).date()
    assert filed.acceptance_due.astimezone(SHANGHAI).date() == next_weekdays(filed_on, 7)[-1]

    # a notice newer than the library: the first two days the case counted are days off
    notices: dict[str, dict] = defaultdict(
        lambda: {"notice": "a newer notice", "holidays": [], "makeup_workdays": []}
    )
    for day in next_weekdays(filed_on, 2):
        notices[str(day.year)]["holidays"].append(day.isoformat())
    override = tmp_path / "holidays.json"
    override.write_text(json.dumps({"about": "test", "years": notices}))
    settings = stack.settings.model_copy(update={"holidays_file": override})
    expected = settings.work_calendar(filed_on.year).add_working_days(filed.filed_at, 7)
    assert expected.astimezone(SHANGHAI).date() >= next_weekdays(filed_on, 9)[-1]  # two days later at least

    # a document that is no calendar (pushed by hand) is refused with an alert; the case keeps its own
    for malformed in ({"holidays": ["2026-13-01"]}, ["not", "a", "calendar"]):
        await case.handle.signal(CaseWorkflow.update_calendar, malformed)
    refused = await eventually(
        case.state,
        lambda s: [a.kind for a in s.alerts].count("calendar_refused") == 2,
        "the refused calendars",
        20,
    )
    assert refused.acceptance_due == filed.acceptance_due and refused.phase == "filed"
    assert "2026-13-01" in next(a.params["problem"] for a in refused.alerts if a.kind == "calendar_refused")

    query = f"{OPEN_CASES} AND TaskQueue = '{task_queue}'"
    ids = lambda found: [workflow_id for workflow_id, _ in found]  # noqa: E731
    listed = await eventually(
        lambda: open_case_ids(stack.temporal, query), lambda f: ids(f), "the open case", 20
    )
    assert ids(listed) == [case.handle.id]
    assert await push_calendar(settings, stack.temporal, query) == [case.handle.id]

    state = await eventually(case.state, lambda s: s.acceptance_due == expected, "the recounted deadline", 20)
    # (and, filed late in December, provisional_deadline: the count then runs into next year)
    kinds = [a.kind for a in state.alerts if a.kind != "provisional_deadline"]
    assert kinds == ["calendar_refused", "calendar_refused", "deadline_recounted"]
    # the parties read it too: the case pages list each recount, the notifier tells the claimant
    (recount,) = state.recounts
    assert (recount.deadline, recount.due) == (
        "acceptance_due",
        expected.astimezone(SHANGHAI).date().isoformat(),
    )
    assert recount.was == filed.acceptance_due.astimezone(SHANGHAI).date().isoformat()

    def alerts_kept() -> list[str]:
        with Session(engine) as session:
            return [a.kind for a in crud.list_alerts(session=session, subject_id=state.case_id)]

    await eventually(
        lambda: asyncio.to_thread(alerts_kept), lambda kinds: "deadline_recounted" in kinds, "the alert", 20
    )
    rejection = {"reasons": "outside the council's remit", "grounds": ["outside_remit"]}
    await case.step("council", "case.reject", rejection)
    outcome = await asyncio.wait_for(case.handle.result(), 20)
    assert outcome.phase == "rejected" and (await case.state()).rejection_grounds == ["outside_remit"]
    await record_history(case.handle, "dispute_calendar_pushed_while_filed")
