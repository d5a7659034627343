"""The council's business page: the queue with each licence's registration read out, verifying in
the browser (390 px), revoking, in both languages; the council's alone. The housing association's
page under the council's delegation, and the council's page of delegations."""

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
        "工商 · 企业 · 广东省（440300）",
        "70846113-6",
        "确认核验",
    ):
        assert text in card, text
    english = await page(stack, "/council/businesses", council, lang="en", q="91440300708461136T")
    assert "Verify businesses" in english.text and "Mark verified" in english.text
    assert "market regulation · enterprise · Guangdong (440300)" in english.text

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


async def test_a_delegated_housing_association_verifies_on_its_page_and_the_council_sees_for_whom(stack):
    """The association's page is the queue without revocations while the delegation is in force,
    and says it is not in force after; the council's pages grant, list and revoke, in both
    languages, and its list of verified businesses names whom the association acted for."""
    http = stack.http
    council = await Party(http, "council", "委托人 孙").register(enrolment_secret=COUNCIL_SECRET)
    association = await Party(http, "housing_association", "漓江住房协会").register()
    business = await give_demo_licence(Party(http, "contractor", "协会页面装饰")).register()

    refused = await page(stack, "/association/businesses", association)
    assert refused.status_code == 200 and 'id="not-delegated"' in refused.text
    assert "verify-business" not in refused.text

    delegations = await page(stack, "/council/delegations", council)
    assert "委托核验" in delegations.text and 'id="grant-delegation"' in delegations.text
    english = await page(stack, "/council/delegations", council, lang="en")
    assert "Delegations to housing associations" in english.text
    granted = await http.post(
        "/delegations",
        json={"party_id": association.id, "note": "已签订委托协议"},
        headers=council.auth,
    )
    delegation_id = granted.json()["id"]
    listed = part(
        (await page(stack, "/council/delegations", council)).text,
        f'id="delegation-{delegation_id}"',
        "</article>",
    )
    assert "漓江住房协会" in listed and "生效中" in listed and "revoke-delegation" in listed

    queue = await page(stack, "/association/businesses", association, q=business.id)
    assert queue.status_code == 200 and 'id="acting-for"' in queue.text
    card = part(queue.text, f'id="business-{business.id}"', "</article>")
    assert "verify-business" in card
    assert "revoke-business" not in queue.text and "/council/delegations" not in queue.text
    assert "Verify businesses" in (await page(stack, "/association/businesses", association, lang="en")).text

    verified = await http.post(
        f"/businesses/{business.id}/verification",
        json={"checked": "执照原件已核对"},
        headers=association.auth,
    )
    assert verified.status_code == 200, verified.json()
    council_view = await page(stack, "/council/businesses", council)
    row = part(council_view.text, f'id="verified-{business.id}"', "</article>")
    assert association.id in row and f"代消委会工作人员 {council.id}" in row

    await http.post(
        f"/delegations/{delegation_id}/revocation", json={"reason": "协议到期"}, headers=council.auth
    )
    ended = part(
        (await page(stack, "/council/delegations", council)).text,
        f'id="delegation-{delegation_id}"',
        "</article>",
    )
    assert "协议到期" in ended and "revoke-delegation" not in ended
    assert 'id="not-delegated"' in (await page(stack, "/association/businesses", association)).text
    assert (await page(stack, "/council/delegations", association)).status_code == 403
    assert (await page(stack, "/association/businesses", council)).status_code == 403


async def test_a_council_member_delegates_and_revokes_on_a_phone(new_context, stack):
    association = await Party(stack.http, "housing_association", "七星住房协会").register()
    browser, council_id = await signed_in(await new_context(), "council", "委托人 周", COUNCIL_SECRET)
    await browser.goto("/council/delegations")
    await check_usable(browser)
    await browser.fill("#delegate-id", association.id)
    await browser.fill("#delegation-note", "已签订委托协议，协会登记证书已核对")
    async with browser.expect_navigation():
        await browser.click("#grant-delegation button")
    article = browser.locator("article.delegation", has_text=association.id)
    await expect(article).to_contain_text("生效中")
    await expect(article).to_contain_text(council_id)
    await screenshot(browser, "council-delegations")

    await browser.fill("#delegate-id", association.id)  # a second one while it is in force
    await browser.fill("#delegation-note", "再次委托")
    await browser.click("#grant-delegation button")
    await expect(browser.locator("#step-error")).to_contain_text("已经受消委会委托")

    await article.locator("form.revoke-delegation input").fill("协议到期")
    async with browser.expect_navigation():
        await article.locator("form.revoke-delegation button").click()
    await expect(article).to_contain_text("协议到期")
    await expect(article.locator("form.revoke-delegation")).to_have_count(0)
    await check_usable(browser)
