"""The council keeps the expert registry on its phone: add, change, link, deactivate, import a file;
an expert sees their party ID and their place in the registry; each role's sign-in names its secret."""

import uuid

from playwright.async_api import BrowserContext, Page, expect

from api.deps import SESSION_COOKIE
from api.error_catalogue import message
from client.party import Party
from config.settings import Settings
from expert_panels.registry import RENOVATION, SPECIALTIES
from tests.kits.driver import check_usable, open_page
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import ENROLLED, enrol_for_this_test
from tests.web.conftest import screenshot


async def signed_in_page(stack, new_context, party: Party) -> Page:
    """A phone-sized page whose session cookie is the party's."""
    context: BrowserContext = await new_context()
    base = str(stack.http.base_url).rstrip("/")
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await party.open_session(), "url": base}])
    return await context.new_page()


async def council_clerk(stack) -> Party:
    return await Party(stack.http, "council", "Registry clerk").register(enrolment_secret=COUNCIL_SECRET)


def leaves_with_the_test(stack, council: Party, expert_ids: list[str]) -> None:
    """Experts this test made on the page leave the draws when it ends (tests/web/conftest.py)."""
    ENROLLED.setdefault(str(stack.http.base_url), []).extend((council, expert_id) for expert_id in expert_ids)


async def named(stack, council: Party, name: str) -> list[dict]:
    found = await stack.http.get("/experts", params={"q": name}, headers=council.auth)
    return found.json()["data"]


async def test_the_council_adds_an_expert_once_links_its_party_and_deactivates_it_at_390_px(
    stack, new_context
):
    http = stack.http
    council = await council_clerk(stack)
    name = f"周敏 {uuid.uuid4().hex[:6]}"
    expert_party = await Party(http, "expert", name).register()
    owner = await Party(http, "owner", "李娜").register()
    page = await signed_in_page(stack, new_context, council)
    await open_page(page, "/council/experts")
    async with page.expect_navigation(url="**/council/experts/new"):
        await page.click("text=登记一位专家")
    await check_usable(page)

    # Only the chosen field's specialties are offered.
    await page.select_option("#domain", "car")
    await expect(page.locator('.specialty-group[data-domain="renovation"]')).to_be_hidden()
    await page.select_option("#domain", "renovation")
    await expect(page.locator('.specialty-group[data-domain="car"]')).to_be_hidden()
    await page.fill("#name", name)
    await page.check('#new-expert input[value="waterproofing"]')
    await page.fill("#affiliations", "ORG-GUILIN-DECOR|employed|2019-03-01|2022-06-30")
    async with page.expect_navigation(url="**/council/experts/EXP-*"):
        await page.click("#new-expert button[type=submit]")
    first = page.url
    await check_usable(page)
    await expect(page.locator("h1")).to_have_text(name)
    await expect(page.locator("#expert-status")).to_have_text("在册：可被抽选入专家组。")

    # Back and send the form again: the page answers with the same expert, not a second one.
    await page.go_back()
    await expect(page.locator("#name")).to_have_value(name)
    async with page.expect_navigation(url="**/council/experts/EXP-*"):
        await page.click("#new-expert button[type=submit]")
    assert page.url == first
    (stored,) = await named(stack, council, name)
    leaves_with_the_test(stack, council, [stored["expert_id"]])
    assert (stored["specialties"], stored["party_id"]) == (["waterproofing"], None)

    # A party that is not an expert is shown as its card and refused before anything is sent.
    await page.fill("#party-id", owner.id)
    await page.locator("#party-id").blur()
    await expect(page.locator("#party-id-card")).to_contain_text("李娜")
    await expect(page.locator("#party-id-card .error")).to_have_text(
        "这个编号属于业主，不是专家：请向专家索取其本人的编号。"
    )
    await page.click('form[data-expert="link"] button[type=submit]')
    await expect(page.locator("#step-error")).to_be_visible()
    await page.fill("#party-id", expert_party.id)
    await page.locator("#party-id").blur()
    await expect(page.locator("#party-id-card .ok")).to_be_visible()
    await expect(page.locator("#party-id-card .name")).to_contain_text(name)
    await screenshot(page, "council-expert-link-phone")
    async with page.expect_navigation():
        await page.click('form[data-expert="link"] button[type=submit]')
    await expect(page.locator("#linked-party")).to_contain_text(expert_party.id)

    # Change the specialties and ties.
    await page.check('#edit-expert input[value="plumbing"]')
    await page.fill("#affiliations", "")
    async with page.expect_navigation():
        await page.click("#edit-expert button[type=submit]")
    await expect(page.locator('#edit-expert input[value="plumbing"]')).to_be_checked()

    # Deactivating asks first; cancelling changes nothing.
    deactivate = page.locator('form[data-expert="deactivate"] button')
    await deactivate.click()
    await expect(page.locator("#confirm-status")).to_contain_text(f"停用 {name}")
    await page.click('#confirm-status button[value="cancel"]')
    await expect(page.locator("#expert-status")).to_have_attribute("data-active", "yes")
    await deactivate.click()
    async with page.expect_navigation():
        await page.click('#confirm-status button[value="confirm"]')
    await expect(page.locator("#expert-status")).to_have_text("已停用：不会被抽选；仍保留在名录中。")
    await check_usable(page)
    (stored,) = await named(stack, council, name)
    assert (stored["active"], stored["party_id"], stored["specialties"], stored["affiliations"]) == (
        False,
        expert_party.id,
        ["plumbing", "waterproofing"],
        [],
    )

    await page.click('form[data-expert="reactivate"] button')
    async with page.expect_navigation():
        await page.click('#confirm-status button[value="confirm"]')
    await expect(page.locator("#expert-status")).to_have_attribute("data-active", "yes")


async def test_a_csv_import_reports_each_row_in_words_at_390_px(stack, new_context):
    council = await council_clerk(stack)
    tag = uuid.uuid4().hex[:6]
    page = await signed_in_page(stack, new_context, council)
    await open_page(page, "/council/experts")
    header = "name,domain,specialties,affiliations\n"

    async def send(content: bytes, encoding: str = "utf-8") -> None:
        await page.select_option("#csv-encoding", encoding)
        file = {"name": "experts.csv", "mimeType": "text/csv", "buffer": content}
        await page.set_input_files("#csv-file", file)
        await page.click("#import-experts button[type=submit]")

    # One wrong row: the report names it and why, and nothing of the file is stored.
    bad = (
        f"{header}高明 {tag},renovation,waterproofing,\n钱慧 {tag},renovation,tiling,\n"
        f"孙立 {tag},renovation,plumbing,ORG-1|owned|2020-01-01\n"
    )
    await send(bad.encode())
    summary = page.locator("#import-summary")
    await expect(summary).to_have_text("2 行有误，整份文件都没有导入：改正后重新导入。")
    refused = page.locator("#import-rows tr")
    await expect(refused).to_have_count(2)
    await expect(refused.nth(0).locator("td").first).to_have_text("3")
    await expect(refused.nth(0).locator("td").last).to_contain_text("未导入：专长：")
    # each row's reason in the page's language, with the value at fault, and its code as data
    known = ", ".join(SPECIALTIES[RENOVATION])
    tiling = message("unknown_specialty", "zh-CN", {"specialty": "tiling", "known": known}) or "?"
    await expect(refused.nth(0).locator("td").last).to_contain_text(tiling)
    await expect(refused.nth(0)).to_have_attribute("data-code", "unknown_specialty")
    await expect(refused.nth(1).locator("td").first).to_have_text("4")
    await expect(refused.nth(1).locator("td").last).to_contain_text(
        "未导入：任职与报酬关系：关系类型只能是："
    )
    await expect(refused.nth(1)).to_have_attribute("data-code", "unknown_affiliation_kind")
    assert "specialty" not in await refused.nth(0).inner_text()  # no English reason on the page
    await check_usable(page)
    assert await named(stack, council, tag) == []

    # A file that is not text at all is refused as a whole, in words.
    await send(b"\xff\xfe\x00\x81 not a csv")
    await expect(page.locator("#step-error")).to_contain_text("文件无法导入")
    assert await named(stack, council, tag) == []

    # Saved by Chinese Excel (GB18030): every row is added, each with the id it was given.
    good = (
        f"{header}高明 {tag},renovation,waterproofing;plumbing,ORG-漓江装饰|paid|2024-01-01\n"
        f"钱慧 {tag},car,engine,\n"
    )
    await send(good.encode("gb18030"), "gb18030")
    await expect(summary).to_have_text("全部 2 行已登记。")
    added = page.locator("#import-rows tr")
    await expect(added).to_have_count(2)
    stored = sorted(await named(stack, council, tag), key=lambda e: e["name"])
    leaves_with_the_test(stack, council, [e["expert_id"] for e in stored])
    by_name = {e["name"]: e for e in stored}
    assert set(by_name) == {f"高明 {tag}", f"钱慧 {tag}"}
    assert by_name[f"高明 {tag}"]["affiliations"][0]["org_id"] == "ORG-漓江装饰"
    await expect(added.nth(0)).to_contain_text(f"已登记为 {by_name[f'高明 {tag}']['expert_id']}")
    await expect(added.nth(1)).to_contain_text(f"已登记为 {by_name[f'钱慧 {tag}']['expert_id']}")
    await screenshot(page, "council-expert-import-phone")
    await check_usable(page)

    # In English one row is said as one (web/i18n.py's `.one`, chosen by the script's `say`).
    await open_page(page, "/council/experts?lang=en")
    await send(f"{header}钱慧 {tag},renovation,tiling,\n".encode())
    await expect(summary).to_have_text(
        "1 row is wrong, so nothing in the file was imported: correct it and import the file again."
    )
    await send(f"{header}孙立 {tag},car,engine,\n".encode())
    await expect(summary).to_have_text("The one row was added.")
    added_now = [e["expert_id"] for e in await named(stack, council, f"孙立 {tag}")]
    assert len(added_now) == 1
    leaves_with_the_test(stack, council, added_now)


async def test_an_expert_sees_the_id_to_give_the_council_and_their_place_in_the_registry(stack, new_context):
    council = await council_clerk(stack)
    name = f"孙立 {uuid.uuid4().hex[:6]}"
    expert = await Party(stack.http, "expert", name).register()
    page = await signed_in_page(stack, new_context, expert)
    await open_page(page, "/expert")
    await expect(page.locator("#my-party-id")).to_have_text(expert.id)
    await expect(page.locator("#registry-status")).to_contain_text("尚未被关联到专家名录")

    body = {"name": name, "domain": "renovation", "specialties": ["structure"], "party_id": expert.id}
    expert_id = await enrol_for_this_test(stack, council, body)
    await open_page(page, "/expert")
    await expect(page.locator("#registry-status")).to_have_text(
        f"您已在专家名录中，登记为 {name}（{expert_id}），状态在册：可被抽选入专家组。"
    )
    await screenshot(page, "expert-landing-phone")

    await stack.http.post(f"/experts/{expert_id}/deactivation", headers=council.auth)
    await open_page(page, "/expert?lang=en")
    await expect(page.locator("#registry-status")).to_have_text(
        f"You are in the expert registry as {name} ({expert_id}), but deactivated: "
        "you are not drawn for panels."
    )


async def test_each_role_is_asked_for_its_own_secret_by_its_setting_name(stack, new_context):
    prefix = Settings.model_config["env_prefix"].upper()
    bank_setting = prefix + "BANK_ADMIN_TOKEN"
    council_setting = prefix + "COUNCIL_ENROLMENT_SECRET"
    assert {"bank_admin_token", "council_enrolment_secret"} <= set(Settings.model_fields)
    page = await (await new_context()).new_page()
    await open_page(page, "/signin")
    await page.wait_for_function("() => window.Signing !== undefined")
    secret = page.locator("#enrolment-secret")

    await page.select_option("#role", "council")
    await expect(secret).to_have_accessible_name(f"消费者委员会登记口令（{council_setting}）")
    await page.select_option("#role", "owner")
    await expect(secret).to_be_hidden()
    await page.select_option("#role", "bank")
    await expect(secret).to_have_accessible_name(f"银行管理令牌（{bank_setting}）")
    await check_usable(page)

    # The secret so named is the one the bank's registration checks.
    await page.fill("#display-name", "银行柜员 钱")
    await page.fill("#enrolment-secret", stack.settings.bank_admin_token.get_secret_value())
    async with page.expect_navigation(url="**/bank"):
        await page.click("#register button[type=submit]")
