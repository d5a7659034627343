"""Filing a dispute case in chromium: an owner from the escrow page, a car buyer from /my/cases/new
with the car's facts.

Each claim is built by the page, shown in plain words, signed with the browser's own key and
posted to POST /cases with the party's token; the browser then goes to the new case's page.
Python reads the case back over the API and checks the claim the browser posted, byte for
byte, against the hash the API filed, and for the car the statutory remedy its facts give.
"""

import hashlib

from playwright.async_api import Page, expect

from api.error_catalogue import catalogue
from client.escrow_session import eventually
from client.party import Party
from domain.canonical import content_hash
from domain.money import yuan
from tests.kits.businesses import verified_business
from tests.kits.car_case_kit import GEARBOX_FACTS
from tests.kits.driver import check_usable, fill_car_facts, open_escrow, register, sign, token_of
from tests.kits.evidence_files import photo
from tests.kits.owner_kit import dispute_in_browser, funded_for_browser_owner
from tests.web.conftest import screenshot

TOTAL_FEN = 5_000_000
PHOTO = photo(800, 600)  # a real JPEG: the page uploads it, and the store decodes it
LEAK, JOINT = "卫生间地面闭水试验渗漏", "冷水管接头渗水"


def claim_posted(request) -> bool:
    return request.method == "POST" and request.url.endswith("/cases")


async def record_claims(page: Page) -> list[tuple[dict, dict]]:
    """Every claim the page posts with the API's answer, read before the page moves on."""
    filed = []

    async def record(route) -> None:
        answer = await route.fetch()
        filed.append((route.request.post_data_json, await answer.json()))
        await route.fulfill(response=answer)

    await page.route("**/cases", record)
    return filed


async def read_case(stack, token: str, case_id: str) -> dict:
    answer = await stack.http.get(f"/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json()
    return answer.json()


async def test_an_owner_takes_a_dispute_raised_in_the_browser_to_the_council(new_context, stack):
    owner, owner_id = await register(await new_context(), "owner", "王芳")
    flow = await funded_for_browser_owner(stack, owner, owner_id, TOTAL_FEN)
    held = (await flow.state()).stages[0].amount_fen
    await dispute_in_browser(owner, flow.escrow_id, 1, "水电隐蔽工程渗漏")

    form = 'form[data-step="claim.file"]'
    await expect(owner.locator(form)).to_have_count(1)
    await expect(owner.locator(form)).to_contain_text(yuan(held))
    await owner.fill(f"{form} input[name=description]", LEAK)
    await owner.click(f"{form} button[data-add-row]")
    await owner.locator(f"{form} input[name=description]").nth(1).fill(JOINT)
    await owner.fill(f"{form} textarea[name=remedy_sought]", "退还第 1 阶段款项")
    await owner.select_option(f"{form} select[name=main_specialty]", "waterproofing")
    photo = {"name": "ceiling.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}
    await owner.set_input_files(f"{form} input[name=evidence]", files=[photo])
    await check_usable(owner)
    photo_hash = "sha256:" + hashlib.sha256(PHOTO).hexdigest()
    claims = await record_claims(owner)
    summary = await sign(
        owner,
        form,
        expect_in_dialog=[
            yuan(held),
            LEAK,
            JOINT,
            "防水",
            photo_hash,
            flow.contractor.id,
            "水电隐蔽工程渗漏",
        ],
        screenshot_as="owner-file-case-confirm",
    )
    assert "item-2" in summary
    # each item by its words, its id only a hint after them (issue 18 point 5)
    assert [line.strip() for line in summary.splitlines() if JOINT in line][0].startswith(JOINT)
    [(signed, filed)] = claims
    await owner.wait_for_url(f"**/my/cases/{filed['case_id']}")

    assert signed["envelope"]["subject"] == flow.contractor.id
    assert signed["envelope"]["payload"] == {
        "domain": "renovation",
        "main_specialty": "waterproofing",
        "items": [{"item_id": "item-1", "description": LEAK}, {"item_id": "item-2", "description": JOINT}],
        "disputed_fen": held,
        "remedy_sought": "退还第 1 阶段款项",
        "evidence": [photo_hash],
        "escrow_id": flow.escrow_id,
        "escrow_dispute": 1,
    }
    assert filed["claim_hash"] == content_hash(signed["envelope"])
    case = await read_case(stack, flow.owner.token, filed["case_id"])
    assert (case["claimant_id"], case["respondent_id"], case["escrow_id"], case["disputed_fen"]) == (
        owner_id,
        flow.contractor.id,
        flow.escrow_id,
        held,
    )
    assert [item["item_id"] for item in case["items"]] == ["item-1", "item-2"]
    assert (await flow.state()).disputes[0].case_id == filed["case_id"]

    await open_escrow(owner, flow.escrow_id)
    await expect(owner.locator(form)).to_have_count(0)


async def test_a_car_buyer_files_a_case_against_a_dealer(new_context, stack):
    buyer, buyer_id = await register(await new_context(), "buyer", "赵敏")
    dealer = await verified_business(stack.http, "dealer", "漓江汽车销售服务有限公司")
    owner = await Party(stack.http, "owner", "李伟").register()
    await buyer.click('a[href="/my/cases/new"]')
    await buyer.wait_for_url("**/my/cases/new")
    await check_usable(buyer)
    posted = []  # every claim the page sends
    buyer.on("request", lambda r: posted.append(r.post_data_json) if claim_posted(r) else None)

    # Bad input is refused before anything is signed, each with its own words.
    await refused(buyer, "请填写对方的用户编号")
    await buyer.fill("#dealer-id", dealer.id)
    await buyer.fill("#amount", "158000.005")
    await refused(buyer, "“158000.005”不是有效金额")
    await buyer.fill("#amount", "158,000.00")
    await buyer.click("#new-case button[data-remove-row]")
    await refused(buyer, "请至少列出一项")
    await buyer.click("#new-case button[data-add-row]")
    await buyer.click("#new-case button[data-add-row]")
    await buyer.locator("#new-case input[name=description]").nth(0).fill("变速箱在 2、3 挡之间打滑")
    await refused(buyer, "第 2 项没有说明")
    await buyer.locator("#new-case input[name=description]").nth(1).fill("变速箱故障灯常亮")
    await refused(buyer, "请写明请求的处理方式")
    await buyer.fill("#remedy", "按三包规定换车")
    await buyer.select_option("#specialty", "transmission")
    # The car's facts: the first four are required, counts are whole numbers, dates in order.
    await refused(buyer, "请填写“交付（开票）日期”")
    await fill_car_facts(buyer, {"delivered_on": "2026-11-20", "fault_on": "2026-11-19", "km": "412"})
    await refused(buyer, "请填写“故障部位”")
    await fill_car_facts(buyer, {"fault_part": "transmission", "same_problem_repairs": "两次"})
    await refused(buyer, "“同一质量问题已修理的次数”应填 0 或更大的整数")
    await buyer.fill("#fact-same_problem_repairs", "")  # left empty: not stated
    await refused(buyer, "故障出现日期不能早于交付（开票）日期")
    await fill_car_facts(buyer, {"fault_on": "2026-11-25", "needs_main_part_replacement": True})
    await check_usable(buyer)
    assert posted == []

    # The API still checks everything: a claim against someone who is not a dealer is refused.
    await buyer.fill("#dealer-id", owner.id)
    await confirm(buyer)
    await expect(buyer.locator("#step-error")).to_contain_text(catalogue("zh-CN")["wrong_parties"])
    await expect(buyer.locator("#step-error")).to_have_attribute("data-code", "wrong_parties")

    # The answer to the filing is lost on the way back: the next submit re-sends the same
    # signed claim, and the API answers it with the case it made the first time.
    await buyer.fill("#dealer-id", dealer.id)

    async def lose_the_answer(route) -> None:
        await route.fetch()
        await route.abort()

    await buyer.route("**/cases", lose_the_answer)
    await confirm(buyer)
    await expect(buyer.locator("#step-error")).to_contain_text("再按一次会重发同一份签名")
    await buyer.unroute("**/cases", lose_the_answer)
    await screenshot(buyer, "buyer-new-case")
    await sign(
        buyer,
        "#new-case",
        expect_in_dialog=[
            dealer.id,
            "¥158,000.00",
            "变速箱故障灯常亮",
            "变速箱",
            "交付（开票）日期: 2026-11-20",
            "故障出现时的行驶里程（公里）: 412",
            "故障部位: 变速器",
            "需要更换发动机、变速器、动力蓄电池或驱动电机（或其主要零件）: 是",
        ],
        screenshot_as="buyer-new-case-confirm",
    )
    await buyer.wait_for_url("**/my/cases/CASE-*")
    case_id = buyer.url.rsplit("/", 1)[1]

    nonces = [body["envelope"]["nonce"] for body in posted]
    assert len(nonces) == 3 and nonces[1] == nonces[2] != nonces[0]
    token = await token_of(buyer, buyer_id)

    async def listed() -> list[str]:
        answer = await stack.http.get("/cases", headers={"Authorization": f"Bearer {token}"})
        return [row["case_id"] for row in answer.json()]

    assert await eventually(listed, bool, "the buyer's case in the read model", 20) == [case_id]
    case = await read_case(stack, token, case_id)
    assert (case["domain"], case["claimant_id"], case["respondent_id"], case["disputed_fen"]) == (
        "car",
        buyer_id,
        dealer.id,
        15_800_000,
    )
    assert case["items"] == [
        {"item_id": "item-1", "description": "变速箱在 2、3 挡之间打滑"},
        {"item_id": "item-2", "description": "变速箱故障灯常亮"},
    ]
    assert posted[-1]["envelope"]["payload"]["car_facts"] == case["car_facts"] == GEARBOX_FACTS
    statutory = case["statutory_remedy"]  # 5 days after delivery, the transmission must be replaced
    assert (statutory["remedy"], statutory["rule"]) == (
        "refund_or_replace",
        "art22_main_assembly_within_7_days",
    )
    assert [ground["rule"] for ground in statutory["grounds"][1:]] == [
        "art20_main_assembly_part_within_60_days_3000_km",
        "art19_free_repair",
    ]
    await expect(buyer.locator("#statutory-remedy")).to_contain_text("退车或换车")  # her case's page


async def refused(page: Page, words: str) -> None:
    """Submitting the form shows these words and opens no signing dialog."""
    await page.click("#new-case button[type=submit]")
    await expect(page.locator("#step-error")).to_contain_text(words)
    await expect(page.locator("#confirm-step")).to_be_hidden()


async def confirm(page: Page) -> None:
    """Submit the form and sign what the dialog shows, expecting no new page."""
    await page.click("#new-case button[type=submit]")
    await expect(page.locator("#confirm-step")).to_be_visible()
    await page.keyboard.press("Enter")
