"""The workflows on a worker that keeps none of them in memory, so every workflow task replays
the whole history before it goes on.

The committed histories (test_replay.py) and the chaos run replay only finished histories; a
workflow whose code took another path mid-flight than its history records (a nondeterminism)
would only fail on a worker that must replay it then. Here every task is such a replay: an
escrow through all its stages and a warranty fast-forwarded two years, a one-sided
cancellation that becomes a dispute, and cases that end by withdrawal and by the escrow's
cancellation. A nondeterminism fails the workflow task and the step waiting on it times out.
"""

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import running_stack, stack_settings
from tests.kits.case_kit import accepted_case
from tests.kits.flow import EscrowFlow, assert_bank_agrees
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id

TOTAL = 2_000_000


@pytest.fixture
async def replaying(temporal_env, tmp_path, thread_pool):
    settings = stack_settings(temporal_env, tmp_path)
    async with running_stack(
        temporal_env.client, settings, thread_pool, own_ids=True, max_cached_workflows=0
    ) as stack:
        yield stack


async def test_an_escrow_lives_to_its_close_replaying_at_every_task(replaying):
    flow = await EscrowFlow(replaying).register()
    await flow.create_funded(total_fen=TOTAL)
    for stage in range(1, 5):
        await flow.pass_stage(stage)
    await flow.wait_for(lambda s: s.phase == "warranty", "warranty")
    await flow.fast_forward(timedelta(days=731))
    outcome = await asyncio.wait_for(flow.handle.result(), 30)
    assert (outcome.phase, outcome.released_fen) == ("closed", TOTAL)
    await assert_bank_agrees(flow)


async def test_a_one_sided_cancellation_becomes_a_dispute_replaying_at_every_task(replaying):
    flow = await EscrowFlow(replaying).register()
    await flow.create_funded(total_fen=TOTAL)
    await flow.sign_cancellation(flow.owner, "the crew stopped coming")
    await flow.fast_forward(timedelta(days=7))
    await flow.wait_for(lambda s: [d.raised_by for d in s.disputes] == ["owner"], "the dispute")
    await flow.decide(1, "refund", refund_fen=TOTAL)
    await flow.wait_for(lambda s: s.ledger.held_fen == 0, "the refund")
    await assert_bank_agrees(flow)


@pytest.mark.parametrize("ending", ["withdrawal", "cancellation"])
async def test_a_case_ends_with_its_escrow_replaying_at_every_task(replaying, ending):
    flow, case, _ = await accepted_case(replaying)
    if ending == "withdrawal":
        await case.withdraw("fixed", case.withdrawal_escrow_step(flow.escrow_id, 1, await flow.now()))
    else:
        await flow.sign_cancellation(flow.owner)
        await flow.sign_cancellation(flow.contractor)
    handle = replaying.temporal.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case.case_id))
    outcome = await asyncio.wait_for(handle.result(), 30)
    assert (outcome.phase, outcome.outcome.source) == ("closed", ending)
    escrow = await flow.state()
    assert escrow.disputes[0].status == {"withdrawal": "withdrawn", "cancellation": "cancelled"}[ending]
