"""Disputes, change orders and cancellation through the API, the workflow and the sandbox bank."""

from datetime import timedelta

from client.party import Party
from domain.audit import verify_trail
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow, assert_bank_agrees
from workflows.escrow import EscrowWorkflow

TOTAL = 20_000_000  # stages 6,000,000 / 6,000,000 / 5,000,000 / 2,000,000, retention 1,000,000


async def funded_flow(stack, **contract) -> EscrowFlow:
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(**contract)
    return flow


async def test_a_frozen_stage_is_settled_by_the_councils_split(stack, record_history):
    flow = await funded_flow(stack, total_fen=TOTAL)
    await flow.pass_stage(1)
    await flow.request_inspection(2)
    report_hash = await flow.report(2, "pass")

    assert await flow.raise_dispute(flow.owner, [2], "hollow tiles behind the new kitchen units") == 1
    await flow.refused(flow.accept(2, report_hash), 409, "stage_frozen")
    await flow.refused(
        flow.decide(1, "split", pay_fen=4_000_000, refund_fen=1_000_000), 422, "amounts_do_not_add_up"
    )
    await flow.refused(  # only the council decides
        flow.step(
            flow.owner,
            "/disputes/1/decision",
            "dispute.decide",
            {
                "dispute": 1,
                "outcome": "refund",
                "reasons": "r",
                "decision_hash": "h",
                "refund_fen": 6_000_000,
            },
        ),
        403,
        "wrong_role",
    )

    await flow.decide(1, "split", pay_fen=4_000_000, refund_fen=2_000_000)
    state = await assert_bank_agrees(flow)
    assert state.disputes[0].status == "decided"
    assert state.stages[1].status == "settled" and state.current_stage == 3
    assert (state.ledger.released_fen, state.ledger.refunded_fen) == (10_000_000, 2_000_000)
    statement = await flow.statement()
    assert statement["dispute-1:pay"] == ("payout", 4_000_000)
    assert statement["dispute-1:refund"] == ("refund", 2_000_000)
    assert "stage-2:release" not in statement
    assert (await stack.bank.ledger_check()).balanced
    await record_history(flow.handle, "escrow_dispute_split")


async def test_a_higher_total_waits_for_the_top_up_before_any_release(stack, record_history):
    stages = [{"name": "plumbing", "amount_fen": 300_000}, {"name": "tiling", "amount_fen": 200_000}]
    flow = await funded_flow(stack, stages=stages, retention_fen=50_000)
    await flow.request_inspection(1)
    report_hash = await flow.report(1, "pass")

    new_plan = [("tiling, imported stone", 350_000)]  # +150,000
    await flow.sign_change_order(flow.contractor, 1, 2, new_plan, 50_000)
    state = await flow.state()
    assert state.change_proposal.signed_by == ["contractor"] and state.shortfall_fen == 0
    await flow.sign_change_order(flow.owner, 1, 2, new_plan, 50_000)
    state = await flow.state()
    assert (state.contract_total_fen, state.shortfall_fen, state.changes_applied) == (
        700_000,
        150_000,
        1,
    )

    await flow.refused(flow.accept(1, report_hash), 409, "awaiting_topup")
    await flow.deposit(150_000)
    assert (await flow.state()).shortfall_fen == 0
    await flow.accept(1, report_hash)
    state = await assert_bank_agrees(flow)
    assert state.ledger.released_fen == 300_000 and state.ledger.held_fen == 400_000
    assert (await flow.statement())["stage-1:release"] == ("payout", 300_000)
    await record_history(flow.handle, "escrow_change_order_topup")


async def test_mutual_cancellation_pays_accepted_work_and_refunds_the_rest(stack, record_history):
    flow = await funded_flow(stack, total_fen=TOTAL)
    await flow.pass_stage(1)
    await flow.request_inspection(2)

    await flow.sign_cancellation(flow.owner, "moving abroad")
    state = await flow.state()
    assert state.phase == "active" and state.cancel_signed_by == ["owner"]
    await flow.refused(flow.sign_cancellation(flow.owner), 409, "already_signed")
    await flow.sign_cancellation(flow.contractor)

    outcome = await flow.handle.result()
    assert (outcome.phase, outcome.released_fen, outcome.refunded_fen) == ("cancelled", 6_000_000, 14_000_000)
    state = await assert_bank_agrees(flow)
    assert state.ledger.held_fen == 0
    statement = await flow.statement()
    assert statement["stage-1:release"] == ("payout", 6_000_000)
    assert statement["cancel:refund"] == ("refund", 14_000_000)
    await record_history(flow.handle, "escrow_mutual_cancellation")


async def test_a_cancellation_the_contractor_leaves_unanswered_becomes_a_dispute(stack, record_history):
    flow = await funded_flow(stack, total_fen=TOTAL)
    await flow.pass_stage(1)
    await flow.sign_cancellation(flow.owner, "the crew stopped coming")
    asked = (await flow.state()).cancellation
    assert (asked.asked_by, asked.dispute) == ("owner", None)

    await flow.fast_forward(timedelta(days=7))
    alert = await flow.wait_for_alert("dispute_opened")
    assert alert.business_key == f"{flow.escrow_id}:dispute-1:opened"
    state = await flow.state()
    (dispute,) = state.disputes
    assert (dispute.raised_by, dispute.stages, dispute.include_retention) == (
        "owner",
        [2, 3, 4],
        True,
    )
    assert dispute.disputed_fen == TOTAL - 6_000_000 and state.cancellation.dispute == 1

    await flow.decide(1, "refund", refund_fen=TOTAL - 6_000_000)
    state = await flow.wait_for(lambda s: s.ledger.held_fen == 0, "the refund paid")
    await assert_bank_agrees(flow)
    assert (await flow.statement())["dispute-1:refund"] == ("refund", TOTAL - 6_000_000)
    await record_history(flow.handle, "escrow_one_sided_cancellation_disputed")


async def test_a_council_member_who_joined_after_the_escrow_began_decides_its_dispute(stack):
    """A contract's warranty outlives many a clerk: a member registered after the escrow started
    signs as the council (the API sends the council as it is now), and the escrow then keeps the
    member's key, so its trail verifies offline."""
    flow = await funded_flow(stack, total_fen=TOTAL)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing fails its water test")
    started_with = set((await flow.handle.query(EscrowWorkflow.audit_trail))["council_keys"])
    newcomer = await Party(stack.http, "council", "New clerk").register(enrolment_secret=COUNCIL_SECRET)
    assert newcomer.id not in started_with
    flow.council = newcomer
    await flow.decide(1, "refund", refund_fen=6_000_000)
    state = await flow.settled()
    assert state.disputes[0].status == "decided"
    trail = await flow.handle.query(EscrowWorkflow.audit_trail)
    assert trail["council_keys"][newcomer.id] == newcomer.key.public_key_b64
    assert trail["entries"][-1]["signer"] == newcomer.id
    assert verify_trail(trail) == []
