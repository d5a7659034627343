"""The pages in English, in the reader's time zone, by keyboard alone, on a desktop screen."""

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.kits.businesses import verified_business
from tests.kits.driver import check_usable
from tests.kits.flow import accredited_inspector
from tests.web.conftest import screenshot


async def test_a_party_registers_by_keyboard_and_reads_english_in_its_own_time_zone(new_context, stack):
    context = await new_context(timezone_id="America/New_York", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto("/signin")
    await check_usable(page)
    for _ in range(40):
        if await page.evaluate("() => document.activeElement.id") == "display-name":
            break
        await page.keyboard.press("Tab")
    else:
        raise AssertionError("the name field cannot be reached with the Tab key")
    await page.keyboard.type("Li Wei")
    async with page.expect_navigation(url="**/my/escrows"):
        await page.keyboard.press("Enter")
    owner_id = (await page.text_content("#my-party-id")).strip()

    contractor = await verified_business(stack.http, "contractor", "Guilin Renovation")
    inspector = await verified_business(stack.http, "inspector", "Lijiang Inspection")
    await accredited_inspector(stack, inspector.id)
    await page.goto("/my/escrows/new")
    await check_usable(page)
    await page.fill("#title", "Flat 3-2-501")
    await page.fill("#contractor-id", contractor.id)
    await page.fill("#inspector-id", inspector.id)
    await page.fill("#total", "1,000")
    async with page.expect_navigation(url="**/my/escrows/ESC-*"):
        await page.click("#new-contract button[type=submit]")
    await expect(page.locator("#total")).to_have_text("¥1,000.00")

    await page.click('a[hreflang="en"]')
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#your-step")).to_have_text("Waiting for you")
    await expect(page.locator("#phase")).to_have_text("Waiting for both signatures")
    await check_usable(page)

    # The history shows the moment in New York time, not the server's Shanghai time.
    await page.goto("/my/escrows")
    moment = page.locator("time").first
    written = datetime.fromisoformat(await moment.get_attribute("datetime"))
    in_new_york = written.astimezone(ZoneInfo("America/New_York"))
    shown = await moment.inner_text()
    assert f"{in_new_york.hour % 12 or 12}:{in_new_york.minute:02d}" in shown, shown
    await screenshot(page, "owner-escrows-desktop-en")

    # Signing out ends the page session; the key stays on the device to sign in again.
    await page.goto("/signin")
    async with page.expect_navigation(url="**/signin"):
        await page.click("#sign-out")
    await page.goto("/my/escrows")
    assert "/signin?next=" in page.url
    await expect(page.locator(".sign-in-as")).to_have_count(1)
    async with page.expect_navigation(url="**/my/escrows"):
        await page.click(f'.sign-in-as[data-party-id="{owner_id}"]')
    await expect(page.locator("#my-party-id")).to_have_text(owner_id)


async def test_pages_that_need_a_party_send_a_stranger_to_sign_in(new_context):
    page = await (await new_context()).new_page()
    await page.goto("/my/escrows")
    assert page.url.endswith("/signin?next=/my/escrows")
    await expect(page.locator("#identities")).to_contain_text("还没有身份")
