"""The contract form takes a custom plan, starting from the standard one the API splits from the
total; the owner adds, removes and renames stages and changes amounts in yuan with the totals
added up as they type; a plan that does not come to the total is refused in words before anything
is sent; the signing dialog then shows every stage, the retention and the total beside the terms
hash. Back and submit again finds the contract the form already drafted (issue 18 points 4 and 5).
All on a 390 px phone screen."""

import asyncio

from playwright.async_api import Page, expect

from client.accreditation import accredit_inspector
from client.escrow_session import eventually
from client.party import Party
from domain.money import yuan
from tests.kits.businesses import business_desk, verified_business
from tests.kits.driver import check_usable, register, sign, token_of
from tests.web.conftest import screenshot


async def named_parties(http) -> tuple[Party, Party]:
    """A verified contractor and a verified, accredited inspector a contract may name."""
    contractor = await verified_business(http, "contractor", "桂林家装")
    inspector = await verified_business(http, "inspector", "漓江检测")
    await accredit_inspector(await business_desk(http), inspector.id)
    return contractor, inspector


async def fill_contract(page: Page, contractor: Party, inspector: Party, total: str) -> None:
    await page.fill("#title", "三里店小区3-2-501 全屋装修")
    await page.fill("#contractor-id", contractor.id)
    await page.press("#contractor-id", "Tab")
    await page.fill("#inspector-id", inspector.id)
    await page.press("#inspector-id", "Tab")
    await page.fill("#total", total)
    await page.press("#total", "Tab")


def typed(fen: int) -> str:
    """An amount as the form fills it in: yuan with two decimals, no sign and no separators."""
    return yuan(fen).removeprefix("¥").replace(",", "")


def amounts(page: Page):
    return page.locator("#plan .stage-row [name=stage_amount]")


async def test_the_owner_shapes_the_plan_and_signs_it_in_yuan(new_context, stack):
    http = stack.http
    contractor, inspector = await named_parties(http)
    page, owner_id = await register(await new_context(), "owner", "李伟")
    auth = {"Authorization": f"Bearer {await token_of(page, owner_id)}"}
    standard = (
        await http.get("/escrows/standard-plan", params={"total_fen": 20_000_003}, headers=auth)
    ).json()
    await page.goto("/my/escrows/new")
    sum_line = page.locator("#plan-sum")

    # The standard plan, its amounts split by the API from the total as typed.
    await fill_contract(page, contractor, inspector, "200,000.03")
    await expect(amounts(page)).to_have_count(len(standard["stages"]))
    for row, stage in zip(await amounts(page).all(), standard["stages"], strict=True):
        await expect(row).to_have_value(typed(stage["amount_fen"]))
    await expect(page.locator("#retention")).to_have_value(typed(standard["retention_fen"]))
    await expect(page.locator("#s2-stage-stage_name")).to_have_value("泥瓦与木工")
    await expect(sum_line).to_have_attribute("data-state", "matches")
    await expect(sum_line).to_contain_text("与合同总额 ¥200,000.03 一致")

    # Rename a stage and take the last one away: the totals say what is missing, and the form refuses.
    await page.fill("#s2-stage-stage_name", "泥瓦工程")
    last = standard["stages"][-1]["amount_fen"]
    await page.locator("#plan .stage-row").last.locator("button[data-remove-row]").click()
    await expect(sum_line).to_have_attribute("data-state", "short")
    await expect(sum_line).to_contain_text(f"少 {yuan(last)}")
    await check_usable(page)
    await page.click("#new-contract button[type=submit]")
    error = page.locator("#step-error")
    await expect(error).to_contain_text("付款计划不对，合同尚未起草")
    await expect(error).to_contain_text("合同总额是 ¥200,000.03")
    assert (await http.get("/escrows", headers=auth)).json() == []

    # Two stages of the owner's own instead, to the fen; a stage with no amount is refused too.
    await page.click("#plan button[data-add-row]")
    await page.locator("#plan .stage-row").last.locator("[name=stage_name]").fill("收尾保洁")
    await page.click("#new-contract button[type=submit]")
    await expect(error).to_contain_text("第 4 阶段的金额必须大于零")
    await page.locator("#plan .stage-row").last.locator("[name=stage_amount]").fill("1,000.01")
    await page.click("#plan button[data-add-row]")
    await page.locator("#plan .stage-row").last.locator("[name=stage_name]").fill("竣工验收")
    rest = last - 100_001
    await page.locator("#plan .stage-row").last.locator("[name=stage_amount]").fill(typed(rest))
    await expect(sum_line).to_have_attribute("data-state", "matches")
    await expect(page.locator("#plan .stage-row").last.locator("label").first).to_have_text("第 5 阶段名称")
    await screenshot(page, "contract-form-custom-plan")
    async with page.expect_navigation(url="**/my/escrows/ESC-*"):
        await page.click("#new-contract button[type=submit]")

    escrow_id = page.url.rsplit("/", 1)[1]
    terms = (await http.get(f"/escrows/{escrow_id}", headers=auth)).json()
    kept = [s["amount_fen"] for s in standard["stages"][:3]]
    assert [(s["name"], s["amount_fen"]) for s in terms["stages"]] == [
        ("hidden works (plumbing/electrical)", kept[0]),  # a standard stage keeps its name as data
        ("泥瓦工程", kept[1]),
        ("painting & installation", kept[2]),
        ("收尾保洁", 100_001),
        ("竣工验收", rest),
    ]
    assert terms["retention"]["amount_fen"] == standard["retention_fen"]
    assert terms["contract_total_fen"] == 20_000_003

    # The signing dialog: every stage, the retention and the total in yuan, beside the terms hash.
    summary = await sign(
        page,
        'form[data-step="contract.sign"]',
        expect_in_dialog=[
            f"1. 水电隐蔽工程\n{yuan(kept[0])}",
            f"2. 泥瓦工程\n{yuan(kept[1])}",
            f"4. 收尾保洁\n{yuan(100_001)}",
            f"5. 竣工验收\n{yuan(rest)}",
            f"质保金\n{yuan(standard['retention_fen'])}",
            "合同总额\n¥200,000.03",
            terms["terms_hash"],
        ],
        screenshot_as="contract-sign-dialog-plan",
    )
    assert summary.index("¥200,000.03") < summary.index(terms["terms_hash"])


async def test_back_and_submit_again_lands_on_the_same_contract(new_context, stack):
    http = stack.http
    contractor, inspector = await named_parties(http)
    page, owner_id = await register(await new_context(), "owner", "王芳")
    await page.goto("/my/escrows/new")
    await fill_contract(page, contractor, inspector, "80000")
    await expect(page.locator("#plan-sum")).to_have_attribute("data-state", "matches")
    async with page.expect_navigation(url="**/my/escrows/ESC-*"):
        await page.click("#new-contract button[type=submit]")
    first = page.url

    await page.go_back()
    await expect(page.locator("#new-contract")).to_be_visible()
    async with page.expect_navigation(url="**/my/escrows/ESC-*"):
        await page.click("#new-contract button[type=submit]")
    assert page.url == first

    auth = {"Authorization": f"Bearer {await token_of(page, owner_id)}"}

    async def listed() -> list:
        return (await http.get("/escrows", headers=auth)).json()

    # the list is the read model, which the workflow's projection activity writes a moment later
    rows = await eventually(listed, bool, "the drafted contract in the owner's list", 30.0)
    assert [row["escrow_id"] for row in rows] == [first.rsplit("/", 1)[1]]

    # The same form sent with other content drafts nothing more, and says so in words.
    await page.go_back()
    await page.fill("#title", "另一套房子")
    await page.click("#new-contract button[type=submit]")
    await expect(page.locator("#step-error")).to_contain_text("这份表单已经起草过一份内容不同的合同")
    await check_usable(page)
    assert len(await listed()) == 1


async def test_the_plan_speaks_english_too(new_context, stack):
    contractor, inspector = await named_parties(stack.http)
    page, _ = await register(await new_context(), "owner", "Li Wei")
    await page.goto("/my/escrows/new?lang=en")
    await fill_contract(page, contractor, inspector, "1000")
    await expect(page.locator("#s1-stage-stage_name")).to_have_value("hidden works (plumbing/electrical)")
    await page.fill("#retention", "abc")
    await page.click("#new-contract button[type=submit]")
    error = page.locator("#step-error")
    await expect(error).to_contain_text("The payment plan does not add up")
    await expect(error).to_contain_text('The retention "abc" is not an amount.')
    await check_usable(page)


async def test_what_the_owner_types_while_the_standard_plan_is_on_its_way_stands(new_context, stack):
    """A standard split that answers late does not overwrite a retention typed meanwhile: the form
    once replaced a mistyped retention with the standard one and drafted a contract."""
    contractor, inspector = await named_parties(stack.http)
    page, owner_id = await register(await new_context(), "owner", "Li Wei")
    await page.goto("/my/escrows/new?lang=en")
    held: asyncio.Queue = asyncio.Queue()
    await page.route("**/escrows/standard-plan*", held.put_nowait)
    await fill_contract(page, contractor, inspector, "1000")
    route = await asyncio.wait_for(held.get(), 30)  # the split asked for, and held back
    await page.fill("#retention", "abc")
    await route.continue_()
    await expect(page.locator("#retention")).to_have_value("abc")
    await page.click("#new-contract button[type=submit]")
    await expect(page.locator("#step-error")).to_contain_text("The payment plan does not add up")
    auth = {"Authorization": f"Bearer {await token_of(page, owner_id)}"}
    assert (await stack.http.get("/escrows", headers=auth)).json() == []
