"""A mistyped address in the browser: a page in the reader's language that fits a phone, not JSON."""

from playwright.async_api import expect

from api.error_catalogue import catalogue
from tests.kits.driver import check_usable


async def test_a_mistyped_address_shows_a_page_in_chinese_then_english(new_context):
    page = await (await new_context()).new_page()
    response = await page.goto("/my/escrows-typo")
    assert response is not None and response.status == 404
    await expect(page.locator("h1")).to_have_text("找不到这个页面")
    await expect(page.locator("#error-message")).to_have_text(catalogue("zh-CN")["not_found"])
    await expect(page.locator("#error-message")).to_have_attribute("data-code", "not_found")
    await check_usable(page)

    await page.click('a[hreflang="en"]')  # the language switch returns to the same address
    await expect(page.locator("h1")).to_have_text("Page not found")
    await expect(page.locator("#error-message")).to_have_text(catalogue("en")["not_found"])
    await check_usable(page)
