"""The council's business page: the queue with each licence's parts read out, verifying in the
browser (390 px), revoking, in both languages; the council's alone."""

from playwright.async_api import expect

from client.businesses import give_demo_licence
from client.party import Party
from tests.kits.driver import check_usable, signed_in
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import page, part
from tests.web.conftest import screenshot


async def test_the_council_sees_the_queue_with_the_code_read_out_and_only_the_council(stack):
    # a published code no other test registers (tests/test_businesses_api.py has the standard's example)
    http = stack.http
    council = await Party(http, "council", "核验员 周").register(enrolment_secret=COUNCIL_SECRET)
    business = await Party(
        http, "dealer", "漓江汽车", credit_code="91440300708461136T", legal_name="漓江汽车销售服务有限公司"
    ).register()

    shown = await page(stack, "/council/businesses", council, q=business.id)
    assert shown.status_code == 200
    card = part(shown.text, f'id="business-{business.id}"', "</article>")
    for text in (
        "漓江汽车销售服务有限公司",
        "91440300708461136T",
        "工商 · 企业",
        "440300",
        "70846113-6",
        "确认核验",
    ):
        assert text in card, text
    english = await page(stack, "/council/businesses", council, lang="en", q="91440300708461136T")
    assert "Verify businesses" in english.text and "Mark verified" in english.text

    owner = await Party(http, "owner", "Li Wei").register()
    assert (await page(stack, "/council/businesses", owner)).status_code == 403
    assert (await page(stack, "/council/businesses")).status_code == 303


async def test_a_council_member_verifies_then_revokes_on_a_phone(new_context, stack):
    business = await give_demo_licence(Party(stack.http, "inspector", "七星验收站")).register()
    browser, council_id = await signed_in(await new_context(), "council", "核验员 林", COUNCIL_SECRET)
    await browser.goto("/council/businesses")
    await browser.fill("#q", business.id)  # the session's database holds every test's businesses
    async with browser.expect_navigation():
        await browser.click("form.filters button")
    await check_usable(browser)
    form = browser.locator(f'form.verify-business[data-party-id="{business.id}"]')
    await form.locator("textarea").fill("已在窗口查看营业执照原件，法定名称和代码一致")
    await screenshot(browser, "council-businesses")
    async with browser.expect_navigation():
        await form.locator("button").click()
    verified = browser.locator(f"#verified-{business.id}")
    await expect(verified).to_contain_text("已在窗口查看营业执照原件")
    await expect(verified).to_contain_text(council_id)
    await expect(browser.locator(f"#business-{business.id}")).to_have_count(0)

    revoke = browser.locator(f'form.revoke-business[data-party-id="{business.id}"]')
    await revoke.locator("input").fill("执照已被吊销")
    async with browser.expect_navigation():
        await revoke.locator("button").click()
    again = browser.locator(f"#business-{business.id}")
    await expect(again).to_contain_text("执照已被吊销")  # back in the queue, with why
    await check_usable(browser)
