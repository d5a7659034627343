"""A claim form cannot file twice: it carries the key the server drew when it rendered the page,
kept for the page's history entry, so a buyer who goes Back to the form after filing and submits
the same claim again (signed afresh) lands on the case she already filed (issue 18 point 4)."""

from playwright.async_api import Page, expect

from client.escrow_session import eventually
from tests.kits.businesses import verified_business
from tests.kits.driver import check_usable, fill_car_facts, register, sign, token_of


async def fill_claim(page: Page, dealer_id: str) -> None:
    """The same claim each time (the dealer's id field is autocomplete="off": not kept over Back)."""
    await page.fill("#dealer-id", dealer_id)
    await page.fill("#amount", "158,000.00")
    await page.locator("#new-case input[name=description]").first.fill("变速箱在 2、3 挡之间打滑")
    await page.fill("#remedy", "按三包规定换车")
    await page.select_option("#specialty", "transmission")
    facts = {
        "delivered_on": "2026-11-20",
        "fault_on": "2026-11-25",
        "km": "412",
        "fault_part": "transmission",
    }
    await fill_car_facts(page, facts)


async def test_back_and_file_the_same_claim_again_lands_on_the_same_case(new_context, stack):
    buyer, buyer_id = await register(await new_context(), "buyer", "赵敏")
    dealer = await verified_business(stack.http, "dealer", "漓江汽车销售服务有限公司")
    await buyer.goto("/my/cases/new")
    await fill_claim(buyer, dealer.id)
    await sign(buyer, "#new-case")
    await buyer.wait_for_url("**/my/cases/CASE-*")
    first = buyer.url

    await buyer.go_back()
    await expect(buyer.locator("#new-case")).to_be_visible()
    await fill_claim(buyer, dealer.id)
    await check_usable(buyer)
    await sign(buyer, "#new-case", expect_in_dialog=[dealer.id, "¥158,000.00"])
    await buyer.wait_for_url("**/my/cases/CASE-*")
    assert buyer.url == first

    token = await token_of(buyer, buyer_id)

    async def listed() -> list[str]:
        answer = await stack.http.get("/cases", headers={"Authorization": f"Bearer {token}"})
        return [row["case_id"] for row in answer.json()]

    # the list is the read model, written a moment after the case starts
    assert await eventually(listed, bool, "the buyer's case in the read model", 30) == [
        first.rsplit("/", 1)[1]
    ]
