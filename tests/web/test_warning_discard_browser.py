"""A council member discards a mistaken warning draft on a phone: the reason is asked for, and the
page then says who discarded it, when and why, with nothing left to sign."""

from playwright.async_api import expect

from api.deps import SESSION_COOKIE
from api.error_catalogue import catalogue
from client.party import Party
from tests.kits.driver import open_page
from tests.kits.flow import COUNCIL_SECRET

DRAFT = {
    "title_zh": "错字的草稿",
    "title_en": "A draft with a typo",
    "text_zh": "正文",
    "text_en": "Text",
    "category": "car",
    "valid_from": "2027-01-01",
    "valid_until": "2027-03-31",
}


async def test_a_member_discards_a_draft_with_a_reason_at_390_px(new_context, stack):
    http = stack.http
    council = await Party(http, "council", "Warning clerk Lin").register(enrolment_secret=COUNCIL_SECRET)
    drafted = await http.post("/warnings", json=DRAFT, headers=council.auth)
    assert drafted.status_code == 201
    wid = drafted.json()["id"]
    context = await new_context()
    base = str(http.base_url).rstrip("/")
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await council.open_session(), "url": base}])
    page = await context.new_page()
    await open_page(page, f"/council/warnings/{wid}")  # fails if anything is wider than the screen
    await page.locator("details.choice-form summary").click()

    # only spaces: the API's refusal is shown and the draft stays a draft
    await page.fill("#discard-reason", "   ")
    await page.click("#discard-draft button[type=submit]")
    await expect(page.locator("#step-error")).to_have_attribute("data-code", "invalid_input")
    await expect(page.locator("#step-error")).to_contain_text(catalogue("zh-CN")["invalid_input"])
    assert (await http.get(f"/warnings/{wid}", headers=council.auth)).json()["state"] == "draft"

    await page.fill("#discard-reason", "标题有错字 <b>")
    async with page.expect_navigation():
        await page.click("#discard-draft button[type=submit]")
    await expect(page.locator("#discarded-note")).to_contain_text("由 Warning clerk Lin 于")
    await expect(page.locator("#discarded-note")).to_contain_text("作废理由: 标题有错字 <b>")
    await expect(page.locator("#sign-publication, #discard-draft")).to_have_count(0)
    await open_page(page, page.url)  # the discarded page fits the screen too
    shown = (await http.get(f"/warnings/{wid}", headers=council.auth)).json()
    assert (shown["state"], shown["discarded_by"], shown["discard_reason"]) == (
        "discarded",
        council.id,
        "标题有错字 <b>",
    )
