"""Cancelling by both signatures in the browser: after the first stage is paid, the owner
proposes to cancel on the escrow page and the contractor agrees on theirs; the escrow ends
cancelled and the bank refunds the owner everything but the paid stage. The inspector acts
from Python."""

from playwright.async_api import expect

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from domain.money import yuan
from tests.kits.businesses import business_desk
from tests.kits.driver import open_escrow, register, sign, token_of, wait_for_phase
from tests.kits.flow import EscrowFlow, assert_bank_agrees

TOTAL_FEN = 5_000_000
REASON = "家里老人生病，暂停装修"


async def test_the_owner_proposes_to_cancel_and_the_contractor_agrees(new_context, stack):
    owner, owner_id = await register(await new_context(), "owner", "陈静")
    contractor, contractor_id = await register(await new_context(), "contractor", "象山装饰工程部")
    flow = EscrowFlow(stack)
    desk = await business_desk(stack.http)
    await enrol_verified(flow.inspector, desk)
    await accredit_inspector(desk, flow.inspector.id)
    flow.owner.id, flow.owner.token = owner_id, await token_of(owner, owner_id)
    flow.contractor.id, flow.contractor.token = contractor_id, await token_of(contractor, contractor_id)
    await flow.create(total_fen=TOTAL_FEN)
    for page in (owner, contractor):
        await open_escrow(page, flow.escrow_id)
        await sign(page, 'form[data-step="contract.sign"]')
    await flow.deposit(TOTAL_FEN)

    # The first stage is done and paid: that money stays with the contractor.
    await open_escrow(contractor, flow.escrow_id)
    await sign(contractor, 'form[data-step="inspection.request"]')
    await flow.report(1, "pass")
    await open_escrow(owner, flow.escrow_id)
    await sign(owner, 'form[data-step="stage.accept"]')
    paid = (await flow.settled()).ledger.released_fen
    refund = TOTAL_FEN - paid
    assert paid > 0

    await open_escrow(owner, flow.escrow_id)
    await owner.click("#more-cancel summary")
    proposal = owner.locator("#cancel-propose")
    await expect(proposal.locator(".cancel-refund")).to_have_text(yuan(refund))
    await expect(proposal.locator(".cancel-kept")).to_have_text(yuan(paid))
    # A reason of blanks is no reason: refused before anything is signed.
    await owner.fill("#cancel-reason", "   ")
    await owner.click("#cancel-propose button[type=submit]")
    await expect(owner.locator("#step-error")).to_contain_text("请写明理由")
    await expect(owner.locator("#confirm-step")).to_be_hidden()
    await owner.fill("#cancel-reason", REASON)
    await sign(
        owner,
        "#cancel-propose",
        expect_in_dialog=[REASON, yuan(refund), yuan(paid), "消费者委员会"],
        screenshot_as="owner-confirm-cancellation",
    )
    await expect(owner.locator("#cancel-wait")).to_contain_text(REASON)
    await expect(owner.locator("#cancel-propose")).to_have_count(0)
    assert (await flow.state()).cancel_signed_by == ["owner"]

    await open_escrow(contractor, flow.escrow_id)
    await expect(contractor.locator("#cancel-agree")).to_contain_text(REASON)
    await sign(
        contractor,
        "#cancel-agree",
        expect_in_dialog=[REASON, yuan(refund), yuan(paid)],
        screenshot_as="contractor-confirm-cancellation",
    )
    await wait_for_phase(contractor, "cancelled")

    state = await assert_bank_agrees(flow)
    assert state.phase == "cancelled"
    assert (state.ledger.released_fen, state.ledger.refunded_fen) == (paid, refund)
    assert (await flow.statement())["cancel:refund"] == ("refund", refund)
