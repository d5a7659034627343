"""The escrow list's "waiting for you" marker and the owner's deposit step in chromium, on a 390 px
phone: the marker says what is the reader's to do, the deposit step shows the bank by its name, the
account, the amount, the escrow's own reference and the QR code the server drew, and nothing runs off
the screen."""

from playwright.async_api import expect

from domain.deposit_reference import deposit_reference
from domain.money import yuan
from tests.kits.driver import open_escrow, open_page
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import read_model_shows
from tests.web.conftest import screenshot
from web.session import SESSION_COOKIE

TOTAL_FEN = 1_000_000


async def test_the_owner_sees_the_marker_and_the_deposit_step_on_a_phone(new_context, stack):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=TOTAL_FEN)
    await flow.sign_contract()
    await read_model_shows(stack, flow.escrow_id, "funding")
    context = await new_context()
    base = str(stack.http.base_url).rstrip("/")
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await flow.owner.open_session(), "url": base}]
    )
    phone = await context.new_page()

    await open_page(phone, "/my/escrows")  # checks every control is labelled and nothing is too wide
    card = phone.locator(f"#row-{flow.escrow_id}")
    await expect(card.locator(".waiting-for-you")).to_have_text("等您处理：存入资金")
    await expect(card.locator(".other-party")).to_have_text(f"装修公司：{flow.contractor.name}")
    await screenshot(phone, "escrow-list-waiting-for-you")

    await open_escrow(phone, flow.escrow_id)
    step = phone.locator("#deposit-instructions")
    await expect(step.locator("#deposit-bank")).to_have_text(stack.settings.bank_name)
    await expect(step.locator("#deposit-holder")).to_have_text(stack.settings.bank_account_holder)
    await expect(step.locator("#deposit-account")).to_have_text(flow.escrow_id)
    await expect(step.locator("#deposit-amount")).to_have_text(yuan(TOTAL_FEN))
    await expect(step.locator("#deposit-reference")).to_have_text(deposit_reference(flow.escrow_id))
    qr = step.locator("#deposit-qr")
    await expect(qr).to_be_visible()
    await expect(qr).to_have_js_property("complete", True)
    assert await qr.evaluate("img => img.naturalWidth") > 0
    assert (await qr.bounding_box())["width"] <= 390
    await screenshot(phone, "escrow-deposit-step")
