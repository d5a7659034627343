"""Dispute cases on the real Temporal server: a car case to the dealer's confirmation, and a
renovation case whose decision the escrow pays out through the bank.

Each test gets its own registry database and worker, so the panel is drawn only
from experts whose keys the test holds.
"""

import asyncio
import html
import os
import subprocess
import sys
from dataclasses import asdict, replace
from datetime import date

from sqlmodel import Session

from cli.verify_draw import report_draws
from client.escrow_session import eventually
from client.party import Party
from db import crud
from db.cases import get_case_projection
from db.experts import update_expert
from domain.case.draws import AbandonedPanelDraw, FailedPanelDraw
from domain.case.terms import CAR, RENOVATION
from expert_panels.draw import draw_record_from_document, exclusion_code, verify_draw
from expert_panels.registry import Affiliation, expert_from_document
from tests.kits.case_workflow_kit import decide, open_cases, start_case
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from tests.kits.staff_kit import page
from web.server_text import reason_text
from workflows.case import CaseWorkflow


def read_model(engine, case_id: str):
    """The case as the read model holds it, with its trail."""
    with Session(engine) as session:
        trail = crud.list_audit_entries(session=session, subject_id=case_id)
        return get_case_projection(session=session, case_id=case_id), trail


async def test_car_case_runs_to_the_dealer_confirming_a_replacement(stack, registry, record_history):
    case = await start_case(stack, registry, CAR, disputed_fen=30_000_000)
    engine = registry[0]
    await case.step("council", "case.accept", {})
    await case.forward(15)
    seats = set((await case.until("panel")).rounds[-1].seats)
    counts = await eventually(
        lambda: asyncio.to_thread(open_cases, engine), lambda c: sum(c.values()) == 3, "panel seats", 20
    )
    assert {e for e, n in counts.items() if n} == seats  # each drawn expert now has one open case
    await decide(case, [None, None, None], remedy="refund_or_replace", accepted=True)
    await case.until("enforcement")
    await case.step("respondent", "remedy.confirm", {"remedy": "refund_or_replace"})
    outcome = await asyncio.wait_for(case.handle.result(), 20)
    assert (outcome.phase, outcome.noncompliant) == ("closed", False)
    assert outcome.outcome.remedy == "refund_or_replace"
    assert sum((await asyncio.to_thread(open_cases, engine)).values()) == 0  # the case is over for all
    await record_history(case.handle, "dispute_car_remedy_confirmed")

    case_id = case.handle.id.removeprefix("dispute-")
    state = await case.state()
    projected, trail = await asyncio.to_thread(read_model, engine, case_id)
    assert (projected.version, projected.phase) == (state.version, "closed")
    assert (projected.outcome, projected.remedy) == ("remedy", "refund_or_replace")
    assert (len(trail), trail[-1].entry_hash) == (state.trail_length, state.trail_head)
    env = {**os.environ, "ESCROW_TEMPORAL_ADDRESS": stack.settings.temporal_address, "COLUMNS": "200"}
    command = [sys.executable, "-m", "cli.main", "verify-draw", case_id]
    checked = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "verify-draw: ok" in checked.stdout

    draws = await case.handle.query(CaseWorkflow.draw_records)
    candidates = [expert_from_document(raw) for raw in draws[0].candidates]

    def reseeded(seed: str) -> dict:
        return {**draws[0].draw, "seed": seed}

    # a few seeds draw the recorded panel again by chance (about 1 in 84): take one that does not
    seed = next(
        seed
        for seed in (f"another-seed-{n}" for n in range(100))
        if verify_draw(draw_record_from_document(reseeded(seed)), candidates)
    )
    draws[0].draw = reseeded(seed)
    assert report_draws(case_id, draws) == 1


async def test_a_panel_departs_from_the_statutory_remedy_with_its_reason(stack, registry, record_history):
    facts = {"delivered_on": "2026-02-24", "fault_on": "2026-03-01", "km": 412, "fault_part": "engine"}
    case = await start_case(stack, registry, CAR, disputed_fen=30_000_000, car_facts=facts)
    assert (await case.state()).statutory_remedy["remedy"] == "repair"
    # the dealer raises Art. 32(1)(iii) in its answer: weighed as raised, the remedy stands
    await case.step("council", "case.accept", {})
    await case.step(
        "respondent", "answer.submit", {"text": "the owner remapped the engine", "defences": ["modification"]}
    )
    answered = await case.until("negotiation")
    assert answered.answer.defences == ["modification"]
    await case.forward(10)  # no settlement
    reason = "the engine must be replaced, which Art. 22 covers though the claim left it out"
    await decide(case, [None, None, None], accepted=True, remedy="refund_or_replace", departure_reason=reason)
    state = await case.until("enforcement")
    decision = state.rounds[-1].decision
    assert (decision.remedy, decision.departure_reason) == ("refund_or_replace", reason)
    assert decision.statutory_remedy["rule"] == "art19_free_repair"
    assert [(g["rule"], g["remedy"]) for g in decision.statutory_remedy["if_proved"]] == [
        ("art32_modification", "none")
    ]
    await case.step("respondent", "remedy.confirm", {"remedy": "refund_or_replace"})
    outcome = await asyncio.wait_for(case.handle.result(), 20)
    assert (outcome.phase, outcome.outcome.remedy) == ("closed", "refund_or_replace")
    await record_history(case.handle, "dispute_car_departs_from_statutory_remedy")


async def test_renovation_decision_is_paid_out_by_the_escrow(stack, registry, record_history):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    case = await start_case(
        stack,
        registry,
        RENOVATION,
        disputed_fen=600_000,
        escrow_id=flow.escrow_id,
        escrow_dispute=1,
        council=(flow.council.id, flow.council.key),
    )
    await decide(case, [200_000, 250_000, 300_000], outcome="split")
    state = await case.until("enforcement")
    assert (state.outcome.pay_fen, state.outcome.refund_fen) == (250_000, 350_000)

    decision = {
        "dispute": 1,
        "outcome": "split",
        "pay_fen": 250_000,
        "refund_fen": 350_000,
        "reasons": "panel decision",
        "decision_hash": state.outcome.decision_hash,
    }
    # the council signs the escrow's step on the escrow's clock (only the case's clock was fast-forwarded)
    escrow_step = flow.council.sign("dispute.decide", flow.escrow_id, decision, await flow.now())
    await case.step("council", "enforcement.submit", {"escrow_step": asdict(escrow_step)})
    outcome = await asyncio.wait_for(case.handle.result(), 20)
    assert outcome.phase == "closed"

    escrow = await assert_bank_agrees(flow)
    assert escrow.disputes[0].status == "decided"
    assert await flow.statement() == {
        "deposit-1": ("deposit", 2_000_000),
        "dispute-1:pay": ("payout", 250_000),
        "dispute-1:refund": ("refund", 350_000),
    }
    await record_history(case.handle, "dispute_renovation_split_enforced")


async def test_a_draw_abandoned_when_no_alternate_is_left_is_kept_and_verify_draw_reruns_it(stack, registry):
    clerk = Party(stack.http, "council", "Draw clerk")
    council = await clerk.register(enrolment_secret="test-council-secret")
    # Seven waterproofing experts (the even numbers; EXP-000 conflicted): whichever three the
    # abandoned draw sets aside, the redraw still finds the two its quota needs.
    case = await start_case(
        stack, registry, RENOVATION, disputed_fen=600_000, council=(council.id, council.key), expert_count=14
    )
    case_id = case.handle.id.removeprefix("dispute-")
    await case.step("council", "case.accept", {})
    await case.forward(15)
    first = (await case.until("panel")).rounds[-1].draw
    await case.forward(2)  # nobody declares: the seats pass to the alternates until none is left
    state = await eventually(case.state, lambda s: s.abandoned_draws, "an abandoned draw", 20)
    [gone] = state.abandoned_draws
    assert gone.draw["seed"] == first["seed"] and gone.vacated in first["panel"]
    assert [c["replacement_id"] for c in gone.draw["replacements"]] == first["alternates"]
    await case.forward(1)  # the draw is retried a day later
    redrawn = (await case.until("panel")).rounds[-1].draw

    draws = await case.handle.query(CaseWorkflow.draw_records)
    assert [(d.draw["seed"], isinstance(d, AbandonedPanelDraw)) for d in draws] == [
        (first["seed"], True),
        (redrawn["seed"], False),
    ]
    assert draws[0].abandoned.vacated == gone.vacated
    assert report_draws(case_id, draws) == 0
    draws[0].abandoned.vacated = next(iter(first["exclusions"]))  # someone who never sat
    assert report_draws(case_id, draws) == 1

    shown = await page(stack, f"/council/cases/{case_id}", council, lang="en")
    assert shown.status_code == 200 and "Draws given up" in shown.text
    said = html.escape(reason_text("en", gone.reason), quote=True)  # the stored code, in words
    assert first["seed"] in shown.text and gone.reason.split(":")[0] not in said and said in shown.text


def tie_to_the_respondent(engine, expert_ids: list[str], tied: bool) -> None:
    """Record (or clear) that these experts were paid by the respondent: a conflict for this case."""
    ties = [Affiliation("ORG-CONTRACTOR", "paid", date(2026, 1, 1))] if tied else []
    with Session(engine) as session:
        for expert_id in expert_ids:
            update_expert(session=session, expert_id=expert_id, affiliations=ties)


async def test_a_draw_that_seats_nobody_is_kept_shown_and_verify_draw_reruns_it(
    stack, registry, record_history
):
    clerk = Party(stack.http, "council", "Draw clerk")
    council = await clerk.register(enrolment_secret="test-council-secret")
    case = await start_case(
        stack, registry, RENOVATION, disputed_fen=600_000, council=(council.id, council.key)
    )
    case_id = case.handle.id.removeprefix("dispute-")
    engine = registry[0]
    # waterproofing experts are the even numbers; EXP-000 already works for the respondent:
    # with these three tied too, only EXP-008 is free
    await asyncio.to_thread(tie_to_the_respondent, engine, ["EXP-002", "EXP-004", "EXP-006"], True)
    await case.step("council", "case.accept", {})
    await case.forward(15)
    state = await eventually(case.state, lambda s: s.rounds and s.rounds[-1].failed_draw, "a failed draw", 20)
    failed = state.rounds[-1].failed_draw
    assert state.phase == "draw" and failed.attempts == 1
    assert failed.draw["problem"] == "2 waterproofing expert(s) needed, 1 eligible"
    assert {i: exclusion_code(r) for i, r in failed.draw["exclusions"].items()} == {
        f"EXP-00{n}": "conflict" for n in (0, 2, 4, 6)
    }

    shown = await page(stack, f"/council/cases/{case_id}", council, lang="en")
    assert "1 draw attempt could seat no panel, on " in shown.text  # one attempt said as one
    assert "2 waterproofing expert(s) needed, 1 eligible" in shown.text and "EXP-006" in shown.text

    draws = await case.handle.query(CaseWorkflow.draw_records)
    assert [(d.round, d.failed.attempts) for d in draws] == [(1, 1)]
    assert report_draws(case_id, draws) == 0
    forged = [replace(draws[0], draw={**draws[0].draw, "exclusions": {}})]  # hiding who was kept out
    assert report_draws(case_id, forged) == 1

    await asyncio.to_thread(tie_to_the_respondent, engine, ["EXP-002", "EXP-004", "EXP-006"], False)
    await case.forward(1)  # retried a day later, from the registry as it is then
    drawn = await case.until("panel")
    assert drawn.rounds[-1].failed_draw == failed  # the round keeps what went before its panel
    draws = await case.handle.query(CaseWorkflow.draw_records)
    assert [isinstance(d, FailedPanelDraw) for d in draws] == [True, False]
    assert report_draws(case_id, draws) == 0
    await record_history(case.handle, "dispute_draw_failed_then_drawn")
