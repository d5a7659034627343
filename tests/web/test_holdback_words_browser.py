"""An owner holds back part of a stage and later releases it, on a phone (390 px): both dialogs name
the held-back item by the words the owner signed it with, never by its id alone ("item-1")."""

from playwright.async_api import expect

from tests.kits.driver import check_usable, open_escrow, register, sign
from tests.kits.owner_kit import funded_for_browser_owner

TOTAL_FEN = 5_000_000
WORDS = "主卧墙面裂缝未修补"


def line_with(summary: str, text: str) -> str:
    [line] = [line for line in summary.splitlines() if text in line]
    return line.strip()


async def test_the_partial_acceptance_and_the_release_name_the_item_by_its_words(stack, new_context):
    owner, owner_id = await register(await new_context(), "owner", "王芳")
    flow = await funded_for_browser_owner(stack, owner, owner_id, TOTAL_FEN)
    await flow.request_inspection(1)
    await flow.report(1, "pass")

    await open_escrow(owner, flow.escrow_id)
    await owner.click("details.choice-form summary")
    partial = 'form[data-step="stage.accept_partial"]'
    await owner.locator(f"{partial} input[name=description]").first.fill(WORDS)
    await owner.locator(f"{partial} input[name=amount]").first.fill("500")
    await check_usable(owner)
    summary = await sign(owner, partial, expect_in_dialog=[WORDS, "¥500.00"], screenshot_as="holdback-words")
    held = line_with(summary, WORDS)
    assert held.startswith(WORDS), held  # the words first, the id at most a hint after them
    assert "编号: item-1" not in summary and "编号：item-1" not in summary

    await open_escrow(owner, flow.escrow_id)
    release = owner.locator('form[data-step="holdback.release"]')
    await expect(release).to_contain_text(WORDS)
    await release.locator("input[name=item]").check()
    await check_usable(owner)
    summary = await sign(owner, 'form[data-step="holdback.release"]', expect_in_dialog=[WORDS])
    assert "item-1" not in summary
