"""The contract form shows who each typed id names before anything is created, and refuses an
unverified or mis-roled party in words (issue 17 point 5), on a 390 px phone screen."""

from playwright.async_api import expect

from client.accreditation import accredit_inspector
from client.businesses import demo_credit_code, enrol_verified, give_demo_licence, verify
from client.escrow_session import eventually
from client.party import Party
from tests.kits.businesses import business_desk
from tests.kits.driver import check_usable, register, token_of
from tests.web.conftest import screenshot


async def test_the_form_shows_each_party_and_refuses_the_wrong_ones_in_words(new_context, stack):
    http = stack.http
    desk = await business_desk(http)
    code = demo_credit_code()  # codes are unique in the stack's database: each test makes its own
    contractor = await enrol_verified(
        Party(http, "contractor", "桂林家装", credit_code=code, legal_name="桂林家装工程有限公司"), desk
    )
    inspector = await give_demo_licence(Party(http, "inspector", "漓江检测")).register()
    neighbour = await Party(http, "owner", "邻居 王芳").register()
    page, owner_id = await register(await new_context(), "owner", "李伟")
    await page.goto("/my/escrows/new")
    contractor_card, inspector_card = page.locator("#contractor-id-card"), page.locator("#inspector-id-card")

    # An owner's id typed as the contractor: named as what it is, refused in words.
    await page.fill("#contractor-id", neighbour.id)
    await page.press("#contractor-id", "Tab")
    await expect(contractor_card).to_have_attribute("data-state", "refused")
    await expect(contractor_card).to_contain_text("邻居 王芳 · 业主")
    await expect(contractor_card).to_contain_text("这个编号属于业主，不是装修公司")
    await expect(page.locator("#contractor-id")).to_have_attribute("aria-invalid", "true")

    # An unknown id.
    await page.fill("#contractor-id", "P-NOBODY2345")
    await page.press("#contractor-id", "Tab")
    await expect(contractor_card).to_contain_text("没有这个编号的当事人")

    # The verified contractor: its name, role, legal name, code and status.
    await page.fill("#contractor-id", contractor.id)
    await page.press("#contractor-id", "Tab")
    await expect(contractor_card).to_have_attribute("data-state", "ok")
    for text in ("桂林家装 · 装修公司", "法定名称：桂林家装工程有限公司", code, "已核验"):
        await expect(contractor_card).to_contain_text(text)
    # Its star rating as the scorecards show it: a new business is not yet rated (docs/RATINGS.md).
    rating = contractor_card.locator("p.rating a")
    await expect(rating).to_have_text("暂未评级（已有 0 次业务，满 5 次起评）")
    await expect(rating).to_have_attribute("href", f"/public/ratings/{contractor.id}")

    # An unverified inspector: shown, and the draft is refused in words; nothing is created.
    await page.fill("#inspector-id", inspector.id)
    await page.press("#inspector-id", "Tab")
    await expect(inspector_card).to_have_attribute("data-state", "refused")
    await expect(inspector_card).to_contain_text("尚未经消费者委员会核验")
    await page.fill("#title", "三里店小区3-2-501 全屋装修")
    await page.fill("#total", "200000.00")
    await check_usable(page)
    await screenshot(page, "contract-form-refused")
    await page.click("#new-contract button[type=submit]")
    error = page.locator("#step-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("暂时不能起草合同")
    await expect(error).to_contain_text("尚未经消费者委员会核验")
    assert "party_not_verified" not in await error.inner_text()  # words, not codes
    auth = {"Authorization": f"Bearer {await token_of(page, owner_id)}"}
    assert (await http.get("/escrows", headers=auth)).json() == []

    # Once the council has verified (and accredited) it, the same form drafts the contract.
    await verify(desk, inspector.id)
    await accredit_inspector(desk, inspector.id)
    async with page.expect_navigation(url="**/my/escrows/ESC-*"):
        await page.click("#new-contract button[type=submit]")

    async def listed() -> list:
        return (await http.get("/escrows", headers=auth)).json()

    # the list is the read model, which the workflow's projection activity writes a moment later
    assert len(await eventually(listed, bool, "the drafted contract in the owner's list", 30.0)) == 1


async def test_the_card_speaks_english_too(new_context, stack):
    neighbour = await Party(stack.http, "owner", "Wang Fang").register()
    page, _ = await register(await new_context(), "owner", "Li Wei")
    await page.goto("/my/escrows/new?lang=en")
    await page.fill("#inspector-id", neighbour.id)
    await page.press("#inspector-id", "Tab")
    card = page.locator("#inspector-id-card")
    await expect(card).to_contain_text("Wang Fang · Owner")
    await expect(card).to_contain_text("registered as Owner, not as Inspector")
    await check_usable(page)
