"""The council keeps the list of accredited inspectors on its phone: accredit, renew, deactivate."""

import uuid
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from api.deps import SESSION_COOKIE
from api.error_catalogue import catalogue
from client.party import Party
from tests.kits.businesses import verified_business
from tests.kits.driver import open_page
from tests.kits.flow import COUNCIL_SECRET


async def test_the_council_accredits_renews_and_deactivates_an_inspector_at_390_px(new_context, stack):
    http = stack.http
    council = await Party(http, "council", "Accreditation clerk").register(enrolment_secret=COUNCIL_SECRET)
    name = f"漓江建筑检测站 {uuid.uuid4().hex[:6]}"
    inspector = await verified_business(http, "inspector", name, council=council)
    context = await new_context()
    base = str(http.base_url).rstrip("/")
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await council.open_session(), "url": base}])
    page = await context.new_page()
    await open_page(page, "/council/inspectors")  # fails if anything is wider than the screen
    await expect(page.locator("h1")).to_have_text("认可检测机构名录")

    # A specialty left out: the API's refusal is shown, nothing is stored.
    await page.fill("#party-id", inspector.id)
    await page.fill("#valid-until", "2030-12-31")
    await page.click("#new-accreditation button[type=submit]")
    await expect(page.locator("#step-error")).to_contain_text(catalogue("zh-CN")["invalid_accreditation"])
    await expect(page.locator("#step-error")).to_have_attribute("data-code", "invalid_accreditation")
    await expect(page.locator("#step-error")).to_contain_text("专业：")  # the field, by its label

    await page.check('#new-accreditation input[value="waterproofing"]')
    await page.fill("#affiliations", "P-FORMEREMPLOYER|employed|2020-01-01|2023-06-30")
    async with page.expect_navigation(url="**/council/inspectors?q=*"):
        await page.click("#new-accreditation button[type=submit]")
    entry = page.locator(".accreditations li", has_text=inspector.id)
    await expect(entry.locator(".status")).to_have_text("今日有效")
    await expect(entry).to_contain_text("P-FORMEREMPLOYER")
    await open_page(page, page.url.split("#")[0])

    renewed = (datetime.now(UTC).date() + timedelta(days=3000)).isoformat()
    await entry.locator("input[name=valid_until]").fill(renewed)
    async with page.expect_navigation():
        await entry.locator('form[data-accreditation="renew"] button').click()
    await expect(entry).to_contain_text(f"– {renewed}")

    await entry.locator("input[name=reason]").fill("检测报告造假")
    async with page.expect_navigation():
        await entry.locator('form[data-accreditation="deactivate"] button').click()
    await expect(entry.locator(".status")).to_have_text("已停用: 检测报告造假")
    await expect(entry.locator("form")).to_have_count(0)
    await open_page(page, page.url.split("#")[0])
    listed = await http.get("/inspectors", params={"q": name}, headers=inspector.auth)
    assert listed.json()["count"] == 0
