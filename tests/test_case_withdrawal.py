"""A claimant withdraws a renovation case over HTTP: the case closes, and its escrow's
dispute ends with it, so the frozen stage goes on where it stood and is paid as usual."""

import asyncio

from client.party import StepRefused
from tests.kits.case_kit import accepted_case
from tests.kits.flow import assert_bank_agrees
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id


async def refused(attempt) -> tuple[int, str]:
    try:
        await attempt
    except StepRefused as refusal:
        return refusal.status, refusal.code
    raise AssertionError("the step was accepted")


async def test_a_withdrawn_case_hands_the_stage_back_to_the_escrow(stack, record_history):
    flow, case, report_hash = await accepted_case(stack)

    escrow_step = case.withdrawal_escrow_step(flow.escrow_id, 1, await flow.now())
    contractor_step = flow.contractor.sign(
        "dispute.withdraw", flow.escrow_id, {"dispute": 1, "case_id": case.case_id}, await flow.now()
    )
    assert await refused(case.withdraw("dropped")) == (422, "not_an_object")
    assert await refused(case.withdraw("dropped", contractor_step)) == (403, "bad_escrow_step")
    case.claimant, case.respondent = flow.contractor, flow.owner  # the respondent tries to withdraw
    assert await refused(case.withdraw("dropped", escrow_step)) == (403, "wrong_role")
    case.claimant, case.respondent = flow.owner, flow.contractor
    assert (await flow.state()).disputes[0].status == "open"  # the refusals changed nothing

    answer = await case.withdraw("the contractor fixed the leak", escrow_step)
    assert answer["phase"] == "enforcement"
    handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case.case_id))
    outcome = await asyncio.wait_for(handle.result(), 20)
    assert (outcome.phase, outcome.outcome.outcome) == ("closed", "withdrawn")

    escrow = await flow.wait_for(lambda s: s.disputes[0].status == "withdrawn", "dispute withdrawn")
    stage = escrow.stages[0]
    assert (stage.status, stage.dispute) == ("awaiting_acceptance", None)
    assert stage.acceptance_due > await flow.now()
    assert await refused(case.withdraw("again", escrow_step)) == (409, "case_closed")

    await flow.accept(1, report_hash)
    await flow.wait_for(lambda s: s.stages[0].status == "accepted" and not s.ledger.pending_fen, "paid")
    await assert_bank_agrees(flow)
    assert await flow.statement() == {
        "deposit-1": ("deposit", 2_000_000),
        "stage-1:release": ("payout", 600_000),
    }
    await record_history(handle, "dispute_withdrawn_with_its_escrow_dispute")
    await record_history(flow.handle, "escrow_dispute_withdrawn_with_its_case")


async def test_a_mutual_cancellation_closes_the_case_of_its_dispute(stack, record_history):
    flow, case, _ = await accepted_case(stack)
    await flow.sign_cancellation(flow.owner, "we agreed to part ways")
    await flow.sign_cancellation(flow.contractor)
    handle = stack.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case.case_id))
    outcome = await asyncio.wait_for(handle.result(), 20)
    assert (outcome.phase, outcome.outcome.source, outcome.outcome.outcome) == (
        "closed",
        "cancellation",
        "withdrawn",
    )
    # (accepted from mid-October on, the mediation period's count runs into a year whose holiday
    # notice may not be known yet: the council is then told it is provisional)
    kinds = [a.kind for a in (await case.state()).alerts if a.kind != "provisional_deadline"]
    assert kinds == ["escrow_cancelled"]
    escrow = await asyncio.wait_for(flow.handle.result(), 20)
    assert (escrow.phase, escrow.refunded_fen) == ("cancelled", 2_000_000)
    await assert_bank_agrees(flow)
    await record_history(handle, "dispute_closed_by_escrow_cancellation")
    await record_history(flow.handle, "escrow_cancelled_with_a_case_open")
