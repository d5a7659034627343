"""Bank staff record an owner's transfer in chromium: enrolled with the bank's secret, keyboard only."""

from playwright.async_api import expect

from tests.kits.driver import check_usable
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import read_model_shows
from tests.web.conftest import screenshot


async def test_bank_staff_record_a_transfer_and_the_escrow_is_funded(stack, new_context):
    flow = await EscrowFlow(stack).register()
    created = await flow.create(total_fen=3_000_000)
    await flow.sign_contract()
    await read_model_shows(stack, flow.escrow_id, "funding")
    total = sum(s["amount_fen"] for s in created["terms"]["stages"]) + created["terms"]["retention_fen"]

    page = await (await new_context()).new_page()
    await page.goto("/signin")
    await page.wait_for_function("() => window.Signing !== undefined")
    await page.select_option("#role", "bank")
    await expect(page.locator("#enrolment-secret")).to_be_visible()
    await page.fill("#display-name", "银行柜员 赵")
    await page.fill("#enrolment-secret", "test-bank-admin")
    async with page.expect_navigation(url="**/bank"):
        await page.click("#register button[type=submit]")
    await check_usable(page)

    amount = page.locator(f"#amount-{flow.escrow_id}")
    await expect(amount).to_have_value(f"{total // 100}.{total % 100:02d}")
    await amount.fill("10,000.00")
    asked = []

    async def accept(dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await amount.focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert "¥10,000.00" in asked[0] and flow.escrow_id in asked[0]
    await screenshot(page, "bank-deposits-phone")

    entries = await stack.bank.statement(flow.escrow_id)
    assert [(e.kind, e.amount_fen) for e in entries] == [("deposit", 1_000_000)]
    assert entries[0].reference.startswith("transfer recorded by P-")
    state = await flow.wait_for(lambda s: s.ledger.deposited_fen == 1_000_000, "the recorded deposit")
    assert state.phase == "funding"  # ¥10,000 of the total: still waiting for the rest
