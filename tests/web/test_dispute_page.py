"""An owner in the browser disputes a stage; the contractor and inspector act from Python."""

from playwright.async_api import expect

from api.error_catalogue import message
from tests.kits.driver import open_escrow, register, sign
from tests.kits.owner_kit import funded_for_browser_owner

TOTAL_FEN = 5_000_000

# The refusal a stale tab meets, with the stage and the dispute in the reader's words.
FROZEN = message("stage_frozen", "zh-CN", {"stage": 1, "dispute": 1}) or "stage_frozen"


async def test_an_owner_disputes_a_passed_stage_and_its_money_freezes(new_context, stack):
    owner, owner_id = await register(await new_context(), "owner", "王芳")
    flow = await funded_for_browser_owner(stack, owner, owner_id, TOTAL_FEN)
    await flow.request_inspection(1)
    await flow.report(1, "pass")

    # A second tab is left with the acceptance half-done: the owner has started typing a
    # holdback and opened the confirmation when the dispute lands from the first tab.
    stale = await owner.context.new_page()
    await open_escrow(stale, flow.escrow_id)
    posts = []
    stale.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    await stale.click(".choice-form summary")
    await stale.fill('form[data-step="stage.accept_partial"] input[name=description]', "踢脚线")
    await stale.click('form[data-step="stage.accept"] button[type=submit]')
    await expect(stale.locator("#confirm-step")).to_be_visible()

    await open_escrow(owner, flow.escrow_id)
    await expect(owner.locator('form[data-step="stage.accept"]')).to_be_visible()
    await owner.click(".more-steps summary")
    await owner.check('form[data-step="dispute.raise"] input[name=stages][value="1"]')
    await owner.fill("#dispute-reason", "水电隐蔽工程与图纸不符")
    await sign(owner, 'form[data-step="dispute.raise"]', expect_in_dialog=["水电隐蔽工程与图纸不符", "1"])

    await expect(owner.locator("#stage-1 .waiting")).to_contain_text("消费者委员会")
    await expect(owner.locator('form[data-step="stage.accept"]')).to_have_count(0)
    state = await flow.state()
    assert [(d.raised_by, d.stages, d.status) for d in state.disputes] == [("owner", [1], "open")]
    assert state.ledger.released_fen == 0

    # The stale tab's signature is refused, said so in words (the code as data), and the tab says the
    # escrow changed instead of reloading under the owner's hands.
    await stale.keyboard.press("Enter")
    await expect(stale.locator("#step-error")).to_contain_text(FROZEN)
    await expect(stale.locator("#step-error")).to_have_attribute("data-code", "stage_frozen")
    assert "stage_frozen" not in await stale.locator("#step-error").inner_text()
    await expect(stale.locator("#changed")).to_be_visible(timeout=15_000)
    # Escape after a refusal cancels: only the next confirmed signature is sent.
    await stale.click('form[data-step="stage.accept"] button[type=submit]')
    await stale.keyboard.press("Escape")
    await expect(stale.locator("#confirm-step")).to_be_hidden()
    await stale.locator("#step-error").evaluate("box => { box.hidden = true; box.textContent = ''; }")
    await stale.click('form[data-step="stage.accept"] button[type=submit]')
    await stale.keyboard.press("Enter")
    await expect(stale.locator("#step-error")).to_be_visible()
    await expect(stale.locator("#step-error")).to_contain_text(FROZEN)
    await expect(stale.locator("#step-error")).to_have_attribute("data-code", "stage_frozen")
    assert "stage_frozen" not in await stale.locator("#step-error").inner_text()
    assert [url for url in posts if url.endswith("/stages/1/acceptance")] == [
        f"{str(stack.http.base_url).rstrip('/')}/escrows/{flow.escrow_id}/stages/1/acceptance"
    ] * 2
    assert (await flow.state()).ledger.released_fen == 0
