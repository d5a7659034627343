"""A warranty claim whose answer is lost files once: the owner reloads the escrow page and signs
the same claim again (a new nonce and time), and its form's key, kept for the page's history
entry, finds the first claim. Once a claim is answered, the next one filled in on the reloaded
page is a claim of its own. On a phone (390 px), the owner's key in chromium (issue 18 point 4)."""

from playwright.async_api import Page, Route, expect

from tests.kits.driver import open_escrow, register, sign
from tests.kits.flow import EscrowFlow
from tests.kits.owner_kit import funded_for_browser_owner

TOTAL_FEN = 5_000_000
CLAIM = 'form[data-step="warranty.claim"]'


async def fill_claim(owner: Page, description: str, amount: str) -> None:
    await owner.fill("#claim-description", description)
    await owner.fill("#claim-amount", amount)


async def into_warranty(flow: EscrowFlow, owner: Page) -> None:
    """Each stage inspected and passed, then accepted by the owner on the escrow page."""
    for stage in range(1, len((await flow.state()).stages) + 1):
        await flow.request_inspection(stage)
        await flow.report(stage, "pass")
        await open_escrow(owner, flow.escrow_id)
        await sign(owner, 'form[data-step="stage.accept"]')
    await flow.wait_for(lambda s: s.phase == "warranty", "the warranty period")


async def test_a_claim_whose_answer_was_lost_files_once_and_the_next_is_its_own(stack, new_context):
    owner, owner_id = await register(await new_context(), "owner", "陈静")
    flow = await funded_for_browser_owner(stack, owner, owner_id, TOTAL_FEN)
    await into_warranty(flow, owner)

    await open_escrow(owner, flow.escrow_id)
    await fill_claim(owner, "卫生间墙角返潮", "200")

    # The claim reaches the escrow, but its answer never reaches the page.
    async def lose_the_answer(route: Route) -> None:
        await route.fetch()
        await route.abort()

    await owner.route("**/warranty-claims", lose_the_answer)
    await owner.click(f"{CLAIM} button[type=submit]")
    await owner.locator("#confirm-step button[value=sign]").click()
    await expect(owner.locator("#step-error")).to_be_visible()
    await owner.unroute("**/warranty-claims")
    assert len((await flow.state()).claims) == 1

    await owner.reload()  # the kept envelope is gone with the page, the key kept for the entry is not
    await expect(owner.locator(CLAIM)).to_be_visible()
    await fill_claim(owner, "卫生间墙角返潮", "200")
    await sign(owner, CLAIM, expect_in_dialog=["卫生间墙角返潮", "¥200.00"])
    assert [c.description for c in (await flow.state()).claims] == ["卫生间墙角返潮"]

    # Answered, the page reloaded itself in the same entry: the next claim goes with a key of its own.
    await fill_claim(owner, "厨房吊顶开裂", "300")
    await sign(owner, CLAIM, expect_in_dialog=["厨房吊顶开裂"])
    claims = (await flow.state()).claims
    assert [(c.description, c.amount_fen) for c in claims] == [
        ("卫生间墙角返潮", 20_000),
        ("厨房吊顶开裂", 30_000),
    ]
