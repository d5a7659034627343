"""What the escrow page offers about cancelling, read over real HTTP with each party's page session.

While the contract can be cancelled (draft, funding, active), the owner and the contractor may
propose it, with what it would refund and keep; once one side signed, that side sees when it
asked and until when the other may agree, and the other side gets the form to agree. Left
unanswered it becomes a dispute, told in the page's words. The inspector sees none of it, and
nobody does once the work is done (warranty). The browser signing it is test_cancel_browser.py.
"""

import re
from dataclasses import replace
from datetime import timedelta

from domain.escrow.snapshot import LedgerSnapshot
from domain.escrow.state import Movement, MovementKind, MovementReason, MovementStatus, Phase
from domain.money import yuan
from tests.kits.flow import EscrowFlow
from tests.kits.machine_kit import Kit, funded
from tests.kits.staff_kit import page
from web.cancellation_view import Cancellation, cancellation
from web.templating import local_time

TOTAL_FEN = 1_000_000
CANCEL_FORM = re.compile(r'<form data-step="cancel\.sign".*?</form>', re.S)


async def escrow_page(flow: EscrowFlow, party, language: str = "zh-CN") -> str:
    shown = await page(flow.stack, f"/my/escrows/{flow.escrow_id}", party, lang=language)
    assert shown.status_code == 200
    return shown.text


async def cancel_forms(flow: EscrowFlow, party) -> dict[str, str]:
    """The party's cancellation forms by id (cancel-propose, cancel-agree), each as its HTML."""
    forms = CANCEL_FORM.findall(await escrow_page(flow, party))
    return {re.search(r'id="([\w-]+)"', form)[1]: form for form in forms}


async def test_one_side_proposes_the_other_may_agree_until_it_becomes_a_dispute(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN)
    await flow.pass_stage(1)
    state = await flow.settled()
    paid, held = state.ledger.released_fen, state.ledger.held_fen
    assert paid > 0 and held == TOTAL_FEN - paid

    for party in (flow.owner, flow.contractor):
        forms = await cancel_forms(flow, party)
        assert list(forms) == ["cancel-propose"], party.role
        assert f'<dd class="cancel-refund">{yuan(held)}</dd>' in forms["cancel-propose"]
        assert f'<dd class="cancel-kept">{yuan(paid)}</dd>' in forms["cancel-propose"]
        assert " required></textarea>" in forms["cancel-propose"]
    assert await cancel_forms(flow, flow.inspector) == {}
    assert await cancel_forms(flow, flow.council) == {}

    await flow.sign_cancellation(flow.owner, "施工队连续两周没来")
    asked = (await flow.state()).cancellation
    owner_page = await escrow_page(flow, flow.owner)
    assert CANCEL_FORM.findall(owner_page) == []
    assert f"您于 {local_time(asked.asked_at)} 申请解除合同，理由：施工队连续两周没来" in owner_page
    assert f"对方可在 {local_time(asked.answer_due)} 前签名同意" in owner_page
    agree = await cancel_forms(flow, flow.contractor)
    assert list(agree) == ["cancel-agree"]
    assert "施工队连续两周没来" in agree["cancel-agree"]
    assert f"您可在 {local_time(asked.answer_due)} 前签名同意" in agree["cancel-agree"]
    assert f'<dd class="cancel-refund">{yuan(held)}</dd>' in agree["cancel-agree"]
    assert " required></textarea>" not in agree["cancel-agree"]  # agreeing needs no reason
    assert await cancel_forms(flow, flow.inspector) == {}

    await flow.fast_forward(timedelta(days=7))
    await flow.wait_for_alert("dispute_opened")
    assert (await flow.state()).cancellation.dispute == 1
    assert "已转为第 1 号争议" in await escrow_page(flow, flow.owner)
    contractor_page = await escrow_page(flow, flow.contractor)
    assert "您现在同意的，合同仍会解除" in contractor_page
    assert "<dd>装修公司未同意解除合同：施工队连续两周没来</dd>" in contractor_page  # the claim form
    english = await escrow_page(flow, flow.owner, "en")
    assert "<dd>The cancellation asked for was not agreed by Contractor: 施工队连续两周没来</dd>" in english
    assert "cancellation not agreed" not in english


async def test_nothing_to_cancel_once_the_work_is_done(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN)
    for stage in range(1, 5):
        await flow.pass_stage(stage)
    await flow.wait_for(lambda s: s.phase == "warranty", "the warranty")
    for party in (flow.owner, flow.contractor):
        page = await escrow_page(flow, party)
        assert CANCEL_FORM.findall(page) == [] and 'id="cancel-wait"' not in page


def test_cancelling_now_refunds_what_is_held_and_not_on_its_way_and_keeps_what_is_paid():
    def movement(kind: str, amount_fen: int, status: str) -> Movement:
        why = MovementReason.ACCEPTED
        return Movement("k", MovementKind(kind), amount_fen, why, status=MovementStatus(status))

    snapshot = replace(
        Kit().m.snapshot(),
        phase=Phase.ACTIVE,
        ledger=LedgerSnapshot(
            deposited_fen=1000,
            released_fen=300,
            refunded_fen=0,
            held_fen=700,
            pending_fen=120,
            obligations_fen=0,
        ),
        movements=[
            movement("payout", 300, "done"),
            movement("payout", 100, "pending"),  # accepted work the bank is still paying
            movement("refund", 20, "pending"),  # an excess refund already on its way
        ],
    )
    assert cancellation(snapshot, "owner") == Cancellation("propose", refund_fen=580, kept_fen=400)
    assert cancellation(snapshot, "inspector") is None
    done = funded()
    done.complete_all_stages()  # the machine no longer declares a cancellation anyone may propose
    assert cancellation(done.m.snapshot(), "contractor") is None
    asked = Kit()
    asked.sign_contract()
    asked.step("contractor", "cancel.sign", {"reason": "materials doubled in price"})
    funding = asked.m.snapshot()
    # Asked before the escrow is active: the 7 days have not started, so no deadline is shown.
    assert (cancellation(funding, "owner").step, cancellation(funding, "owner").answer_due) == ("agree", None)
    assert cancellation(funding, "contractor").step == "wait"
    asked.deposit(asked.m.contract_total_fen)
    assert cancellation(asked.m.snapshot(), "owner").answer_due == asked.m.cancellation.answer_due
