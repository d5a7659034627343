"""A write that is not money and keeps failing wedges neither an escrow nor a case: money moves
once, the workflow goes on, the council is told which one and why, and what was behind catches
up on its timer once the database takes the writes again. Here the read model refuses an escrow
and a case, and the expert registry can neither be read for a draw nor record the seats.

The failures are the database's own (a trigger, a value no reader parses: tests/kits/database_faults.py),
on real stacks: real Temporal, real bank, real SQLite.
"""

import asyncio

from sqlmodel import Session
from temporalio.client import WorkflowExecutionStatus

from client.case_session import CaseSession
from client.escrow_session import eventually
from db import crud
from db.cases import get_case_projection
from domain.case.terms import CAR
from tests.kits.case_kit import claim, file
from tests.kits.case_workflow_kit import open_cases, start_case
from tests.kits.database_faults import refused_rows, unreadable_registry
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from web.server_text import stored_alert_text
from workflows.activity_policies import CATCH_UP_LONGEST
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id


def escrow_read_model(engine, escrow_id: str) -> tuple[dict | None, int]:
    """The escrow's read-model row (as a dict) and how many audit entries the log holds for it."""
    with Session(engine) as session:
        row = crud.get_escrow_projection(session=session, escrow_id=escrow_id)
        entries = crud.list_audit_entries(session=session, subject_id=escrow_id)
        return (row.model_dump() if row else None), len(entries)


def case_read_model(engine, case_id: str) -> tuple[dict | None, int]:
    with Session(engine) as session:
        row = get_case_projection(session=session, case_id=case_id)
        entries = crud.list_audit_entries(session=session, subject_id=case_id)
        return (row.model_dump() if row else None), len(entries)


async def gave_up(handle) -> None:
    """Wait until the workflow has no activity in flight: its last projection's tries have all failed,
    so what catches it up after the fault is gone is the catch-up timer, not a try still pending."""
    await eventually(handle.describe, lambda d: not d.raw_description.pending_activities, "no activity", 20)


def alerts(engine, subject_id: str) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [
            (a.kind, stored_alert_text("en", a))
            for a in crud.list_alerts(session=session, subject_id=subject_id)
        ]


async def test_an_escrow_its_read_model_refuses_pays_its_stage_once_and_catches_up(stack, record_history):
    flow = await EscrowFlow(stack).register()
    with refused_rows(stack.engine, "escrow_projection", "owner_id", flow.owner.id) as refusal:
        await flow.create_funded(total_fen=1_000_000)
        alert = await flow.wait_for_alert("projection_failing")
        said = stored_alert_text("en", alert)
        assert alert.code == "duty_failing" and flow.escrow_id in said and refusal in said
        assert "writing the read model" in said

        await flow.pass_stage(1)
        state = await assert_bank_agrees(flow)
        assert await flow.statement() == {
            "deposit-1": ("deposit", 1_000_000),
            "stage-1:release": ("payout", 300_000),
        }
        assert state.current_stage == 2
        assert await asyncio.to_thread(escrow_read_model, stack.engine, flow.escrow_id) == (None, 0)
        assert [a.kind for a in flow.council_alerts()] == ["projection_failing"]  # once, not per try
        await gave_up(flow.handle)

    await flow.fast_forward(CATCH_UP_LONGEST)  # no step comes: the catch-up timer must do it
    row, entries = await eventually(
        lambda: asyncio.to_thread(escrow_read_model, stack.engine, flow.escrow_id),
        lambda found: found[0] is not None,
        "the read model to catch up",
        flow.wait_seconds,
    )
    state = await flow.state()
    assert (row["version"], row["current_stage"]) == (state.version, 2)
    assert (row["deposited_fen"], row["released_fen"], row["held_fen"]) == (1_000_000, 300_000, 700_000)
    assert entries == state.trail_length  # the audit log too, every signed step in it
    assert len(await flow.statement()) == 2  # and nothing moved twice meanwhile
    await record_history(flow.handle, "escrow_projection_refused_then_caught_up")


async def test_a_case_its_read_model_refuses_goes_on_to_its_end_and_catches_up(stack, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    with refused_rows(stack.engine, "case_projection", "claimant_id", flow.owner.id) as refusal:
        filed = await file(stack, flow.owner, flow.contractor.id, claim(flow.escrow_id, 1))
        assert filed.status_code == 201, filed.json()
        case = CaseSession(stack.http, claimant=flow.owner, respondent=flow.contractor, council=flow.council)
        case.case_id = filed.json()["case_id"]
        handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case.case_id))
        await case.accept()
        told = await eventually(
            lambda: asyncio.to_thread(alerts, stack.engine, case.case_id), bool, "the council's alert", 20
        )
        [(kind, message)] = told
        assert kind == "projection_failing" and case.case_id in message and refusal in message

        await case.withdraw(
            "the contractor fixed the leak", case.withdrawal_escrow_step(flow.escrow_id, 1, await flow.now())
        )
        await flow.wait_for(lambda s: s.disputes[0].status == "withdrawn", "the dispute withdrawn")
        await flow.accept(1, report_hash)
        await assert_bank_agrees(flow)
        assert await flow.statement() == {
            "deposit-1": ("deposit", 2_000_000),
            "stage-1:release": ("payout", 600_000),
        }
        closed = await handle.query(CaseWorkflow.snapshot)
        assert closed.phase == "closed"
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING  # its read model waits
        await gave_up(handle)
        assert await asyncio.to_thread(case_read_model, stack.engine, case.case_id) == (None, 0)

    await stack.skipper.fast_forward(handle, CATCH_UP_LONGEST)
    outcome = await asyncio.wait_for(handle.result(), 30)
    assert (outcome.phase, outcome.outcome.outcome) == ("closed", "withdrawn")
    row, entries = await asyncio.to_thread(case_read_model, stack.engine, case.case_id)
    assert (row["version"], row["phase"], row["outcome"]) == (closed.version, "closed", "withdrawn")
    assert entries == closed.trail_length
    await record_history(handle, "dispute_projection_refused_then_caught_up")


async def test_a_case_whose_registry_fails_is_drawn_and_seated_once_it_works_again(
    stack, registry, record_history
):
    engine = registry[0]
    case = await start_case(stack, registry, CAR, disputed_fen=30_000_000)
    case_id = case.handle.id.removeprefix("dispute-")
    with refused_rows(engine, "panel_seat", "case_id", case_id) as refusal:
        with unreadable_registry(engine, "EXP-000"):
            await case.step("council", "case.accept", {})
            await case.forward(15)
            told = await eventually(
                lambda: asyncio.to_thread(alerts, engine, case_id), bool, "the council's alert", 20
            )
            [(kind, message)] = told
            assert kind == "panel_draw_failing" and case_id in message and "someday" in message
            assert (await case.state()).phase == "draw"
            await gave_up(case.handle)

        # the draw's catch-up timer, from a registry that reads again
        await case.forward(CATCH_UP_LONGEST.days)
        seats = (await case.until("panel")).rounds[-1].seats
        told = await eventually(
            lambda: asyncio.to_thread(alerts, engine, case_id), lambda a: len(a) == 2, "the second alert", 20
        )
        assert told[0][0] == "panel_seats_failing" and refusal in told[0][1]
        for expert_id in seats:  # the case goes on without the registry's counts
            await case.step(expert_id, "declaration.sign", {"independent": True})
        assert sum((await asyncio.to_thread(open_cases, engine)).values()) == 0
        await gave_up(case.handle)

    await case.forward(CATCH_UP_LONGEST.days)
    counts = await eventually(
        lambda: asyncio.to_thread(open_cases, engine), lambda c: sum(c.values()) == 3, "the seats", 20
    )
    assert {e for e, n in counts.items() if n} == set(seats)
    await record_history(case.handle, "dispute_registry_failing_then_drawn_and_seated")
