"""The money statement in chromium: on a 390 px phone the page never scrolls sideways (each line
is a card, each value under its column's heading), and printed it drops the navigation and
buttons and fits the width of an A4 page (210 mm less 12 mm margins each side, at the 96 px to
the inch CSS prints at)."""

from playwright.async_api import expect

from tests.kits.driver import check_usable
from tests.kits.statement_kit import lived_through
from tests.web.conftest import screenshot
from web.session import SESSION_COOKIE

A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)  # 703


async def test_the_statement_fits_a_phone_and_prints_on_a4(new_context, stack):
    flow = await lived_through(stack)
    context = await new_context()
    base = str(stack.http.base_url).rstrip("/")
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await flow.contractor.open_session(), "url": base}]
    )
    phone = await context.new_page()

    await phone.goto(f"/my/escrows/{flow.escrow_id}")
    await check_usable(phone)  # its <h1> wraps the title, spaces or none
    async with phone.expect_navigation(url=f"**/my/escrows/{flow.escrow_id}/statement"):
        await phone.click("#statement-link")
    await check_usable(phone)  # the document is no wider than the 390 px screen
    table_box = phone.locator("#money-statement").locator("xpath=..")
    widths = await table_box.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert widths[0] <= widths[1] <= 390, f"the lines should be cards as wide as the screen: {widths}"
    date = phone.locator("#money-statement td.date").first
    assert await date.evaluate("cell => getComputedStyle(cell, '::before').content") == '"日期（北京时间）"'
    await expect(phone.locator("#money-statement tbody tr")).to_have_count(7)
    await screenshot(phone, "contractor-statement-390")

    first_cause = phone.locator("#money-statement td.cause a").first
    target = (await first_cause.get_attribute("href")).split("#")[1]
    await first_cause.click()
    await expect(phone.locator(f"#{target}")).to_be_visible()

    await phone.goto("/my/escrows")
    async with phone.expect_navigation(url="**/my/statement"):
        await phone.click("#statement-link")
    await check_usable(phone)
    await expect(phone.locator("#money-statement tbody tr")).to_have_count(7)
    await screenshot(phone, "contractor-statement-all-390")

    await phone.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    await phone.emulate_media(media="print")
    for path, name in ((f"/my/escrows/{flow.escrow_id}/statement", "escrow"), ("/my/statement", "all")):
        await phone.goto(path)
        await expect(phone.locator("header.site")).to_be_hidden()
        await expect(phone.locator("#print-statement")).to_be_hidden()
        overflow = await phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"printed, {path} is {overflow}px wider than an A4 page"
        right = "() => document.getElementById('money-statement').getBoundingClientRect().right"
        assert await phone.evaluate(right) <= A4_PRINTABLE_PX, path
        await screenshot(phone, f"contractor-statement-{name}-print-a4")
