"""A whole escrow in the browser: owner, contractor and inspector each in their own browser
context (own keys, own session), against the real stack. The deposit comes from the bank, as
it would in life: through the sandbox bank, which confirms it to the API by signed webhook."""

from playwright.async_api import expect

from client.escrow_session import eventually
from domain.deposit_reference import deposit_reference
from domain.money import yuan
from tests.kits.driver import check_usable, open_escrow, register, sign, token_of, wait_for_phase
from tests.kits.evidence_files import digest_of, pdf, photo
from tests.kits.flow import accredited_inspector
from tests.web.conftest import referenced, screenshot

TOTAL_FEN = 20_000_000
DEFECTS = [("卫生间墙面空鼓", "卫生间东墙", "800.00"), ("插座未接地", "厨房", "200.00")]
ITEM_PHOTO, WALL_PHOTO, REPORT = photo(640, 480), photo(480, 640), pdf("stage 2, round 1")
LOADED = "img => img.complete && img.naturalWidth > 0"


def chosen(name: str, data: bytes) -> dict:
    """A file as the person picks it from their phone."""
    return {
        "name": name,
        "mimeType": "application/pdf" if name.endswith(".pdf") else "image/jpeg",
        "buffer": data,
    }


async def test_a_whole_escrow_in_three_browsers(new_context, stack):
    owner, owner_id = await register(await new_context(), "owner", "李伟")
    contractor, contractor_id = await register(await new_context(), "contractor", "桂林家装工程有限公司")
    inspector, inspector_id = await register(await new_context(), "inspector", "漓江建筑检测站")
    await accredited_inspector(stack, inspector_id)

    # The owner drafts the contract with the others' IDs; both sides sign its terms.
    await owner.goto("/my/escrows/new")
    await owner.fill("#title", "三里店小区3-2-501 全屋装修")
    await owner.fill("#contractor-id", contractor_id)
    await owner.fill("#inspector-id", inspector_id)
    await owner.fill("#total", "200000.00")
    async with owner.expect_navigation(url="**/my/escrows/ESC-*"):
        await owner.click("#new-contract button[type=submit]")
    escrow_id = await owner.get_attribute("#page-data", "data-subject")
    terms_hash = await owner.input_value('form[data-step="contract.sign"] input[name=terms_hash]')
    await sign(owner, 'form[data-step="contract.sign"]', expect_in_dialog=[escrow_id, terms_hash])
    await expect(owner.locator("#wait-signatures")).to_be_visible()
    await expect(owner.locator('form[data-step="contract.sign"]')).to_have_count(0)
    await open_escrow(contractor, escrow_id)
    await sign(contractor, 'form[data-step="contract.sign"]', expect_in_dialog=[terms_hash])

    # Funding: the page says where the money goes; the bank's webhook moves the escrow on.
    await open_escrow(owner, escrow_id)
    await expect(owner.locator("#deposit-instructions")).to_contain_text(yuan(TOTAL_FEN))
    await stack.bank.deposit(
        escrow_id,
        amount_fen=TOTAL_FEN,
        payer=owner_id,
        reference=deposit_reference(escrow_id),
        idempotency_key=f"{escrow_id}:browser-deposit",
    )
    await wait_for_phase(owner, "active")
    await expect(owner.locator("#deposited")).to_have_text(yuan(TOTAL_FEN))

    auth = {"Authorization": f"Bearer {await token_of(owner, owner_id)}"}

    async def state() -> dict:
        return (await stack.http.get(f"/escrows/{escrow_id}", headers=auth)).json()

    async def settled() -> None:
        """Bank receipts change the escrow after a release; let them land before the next page."""
        await eventually(state, lambda s: s["ledger"]["pending_fen"] == 0, "bank receipts", 30)

    amounts = [stage["amount_fen"] for stage in (await state())["stages"]]

    # Stage 1: inspected, passed, accepted in full.
    await pass_and_report(contractor, inspector, escrow_id, 1)
    await open_escrow(owner, escrow_id)
    await sign(owner, 'form[data-step="stage.accept"]', expect_in_dialog=[yuan(amounts[0])])
    await settled()

    # Stage 2: asked for with a photographed item; fails with two itemised defects, the first
    # photographed, and the report's PDF (each file uploaded before the step naming it is signed);
    # is reworked, then passes.
    await request_inspection(contractor, escrow_id, 2, item=("卫生间闭水试验 48 小时", ITEM_PHOTO))
    await open_escrow(inspector, escrow_id)
    await inspector.check('form[data-step="inspection.report"] input[value=fail]')
    await fill_defects(inspector, DEFECTS)
    report_form = inspector.locator('form[data-step="inspection.report"]')
    await (
        report_form.locator(".defect-row")
        .first.locator("input[name=photos]")
        .set_input_files(chosen("wall.jpg", WALL_PHOTO))
    )
    await report_form.locator("input[name=files]").set_input_files(chosen("report.pdf", REPORT))
    await check_usable(inspector)
    await screenshot(inspector, "inspector-report-form")
    summary = await sign(
        inspector,
        'form[data-step="inspection.report"]',
        expect_in_dialog=["卫生间墙面空鼓", "¥800.00", "wall.jpg (", "report.pdf (", digest_of(REPORT)],
        screenshot_as="inspector-confirm-failed-report",
    )
    assert "sha256:" in summary
    await referenced(stack, escrow_id, [digest_of(data) for data in (ITEM_PHOTO, WALL_PHOTO, REPORT)])
    await open_escrow(owner, escrow_id)  # the owner uploaded none of them, and sees them all
    item = owner.locator("#stage-2 .request-items li", has_text="卫生间闭水试验 48 小时")
    for thumbnail in (item.locator("img"), owner.locator("#stage-2 .defects li").first.locator("img")):
        await thumbnail.scroll_into_view_if_needed()
        await owner.wait_for_function(LOADED, arg=await thumbnail.element_handle())
    await expect(owner.locator("#stage-2 li.kind-document")).to_contain_text("打开 PDF")
    await owner.locator("#stage-2 .defects").scroll_into_view_if_needed()
    await screenshot(owner, "owner-stage-evidence")
    await open_escrow(contractor, escrow_id)
    await expect(contractor.locator("#stage-2 .defects > li")).to_have_count(2)
    await expect(contractor.locator("#stage-2 .waiting")).to_contain_text("整改")
    await screenshot(contractor, "contractor-rework")
    await pass_and_report(contractor, inspector, escrow_id, 2)
    await open_escrow(owner, escrow_id)
    await sign(owner, 'form[data-step="stage.accept"]', expect_in_dialog=[yuan(amounts[1])])
    await settled()

    # Stage 3: accepted partially, ¥3,000.00 held back for a door gap, later released.
    await pass_and_report(contractor, inspector, escrow_id, 3)
    await open_escrow(owner, escrow_id)
    await owner.click(".choice-form summary")
    await owner.fill('form[data-step="stage.accept_partial"] input[name=description]', "卧室门缝 4 毫米")
    await owner.fill('form[data-step="stage.accept_partial"] input[name=amount]', "3000.00")
    await sign(
        owner,
        'form[data-step="stage.accept_partial"]',
        expect_in_dialog=[yuan(amounts[2] - 300_000), "¥3,000.00", "卧室门缝 4 毫米"],
        screenshot_as="owner-confirm-partial-acceptance",
    )
    await settled()
    await open_escrow(contractor, escrow_id)
    await expect(contractor.locator("#stage-3 .stage-held")).to_have_text("¥3,000.00")
    await expect(contractor.locator("#stage-3 .holdbacks")).to_contain_text("卧室门缝 4 毫米")
    await open_escrow(owner, escrow_id)
    await owner.check('form[data-step="holdback.release"] input[name=item]')
    released = await sign(
        owner, 'form[data-step="holdback.release"]', expect_in_dialog=["¥3,000.00", "卧室门缝 4 毫米"]
    )
    assert "item-1" not in released  # the held-back item in the owner's words, not its id
    await settled()

    # Stage 4, the last: accepted; the escrow holds only the retention for the warranty.
    await pass_and_report(contractor, inspector, escrow_id, 4)
    await open_escrow(owner, escrow_id)
    await sign(owner, 'form[data-step="stage.accept"]', expect_in_dialog=[yuan(amounts[3])])
    await settled()
    await wait_for_phase(owner, "warranty")
    retention = TOTAL_FEN - sum(amounts)
    await expect(owner.locator("#released")).to_have_text(yuan(sum(amounts)), timeout=30_000)
    await expect(owner.locator("#held")).to_have_text(yuan(retention))
    balance = await stack.bank.balance(escrow_id)
    assert (balance.paid_out_fen, balance.balance_fen) == (sum(amounts), retention)
    await expect(owner.locator("svg.chart path.series")).to_have_count(4)
    # The chart's figures as a table: the deposit and five payouts (stages 1-4, the holdback), as
    # the bank lists them when the page is drawn (drawn afresh: the page reloads itself on the
    # escrow's own changes, and the bank books a payout a moment before the escrow hears of it).
    await open_escrow(owner, escrow_id)
    await expect(owner.locator("#statement tbody tr")).to_have_count(6)

    for page, name in ((owner, "owner"), (contractor, "contractor"), (inspector, "inspector")):
        await open_escrow(page, escrow_id)
        await screenshot(page, f"{name}-escrow")
        await page.goto("/my/escrows")
        await expect(page.locator(f'a[href="/my/escrows/{escrow_id}"]')).to_be_visible()
        await screenshot(page, f"{name}-escrows")
    await owner.set_viewport_size({"width": 1280, "height": 900})
    await open_escrow(owner, escrow_id)
    await screenshot(owner, "owner-escrow-desktop")


async def request_inspection(
    contractor, escrow_id: str, stage: int, item: tuple[str, bytes] | None = None
) -> None:
    """Ask for the stage's inspection with a note, and with `item` one item: its note and photo."""
    await open_escrow(contractor, escrow_id)
    form = f'form[data-step="inspection.request"][data-url$="/stages/{stage}/inspection-requests"]'
    await contractor.fill(f"{form} textarea[name=note]", f"第{stage}阶段已完工")
    shown = [f"第{stage}阶段已完工"]
    if item:
        note, data = item
        row = contractor.locator(f"{form} .item-row").first
        await row.locator("input[name=item_files]").set_input_files(chosen("item.jpg", data))
        await contractor.click(f"{form} button[type=submit]")  # photos without a note: refused, unsigned
        await expect(contractor.locator("#step-error")).to_contain_text("带照片的项目需要填写说明")
        await row.locator("input[name=item_note]").fill(note)
        await contractor.click(f"{form} button[data-add-row]")  # a second row, left blank: left out
        await check_usable(contractor)
        await contractor.locator(form).scroll_into_view_if_needed()
        await screenshot(contractor, "contractor-request-items")
        shown += [note, "item.jpg (", digest_of(data)]
    await sign(contractor, form, expect_in_dialog=shown)


async def pass_and_report(contractor, inspector, escrow_id: str, stage: int) -> None:
    await request_inspection(contractor, escrow_id, stage)
    await open_escrow(inspector, escrow_id)
    await inspector.check('form[data-step="inspection.report"] input[value=pass]')
    await sign(inspector, 'form[data-step="inspection.report"]', expect_in_dialog=["合格"])


async def fill_defects(inspector, defects) -> None:
    form = inspector.locator('form[data-step="inspection.report"]')
    for index, (description, location, cost) in enumerate(defects):
        if index:
            await form.locator("button[data-add-row]").click()
        row = form.locator(".defect-row").nth(index)
        await row.locator("input[name=description]").fill(description)
        await row.locator("input[name=location]").fill(location)
        await row.locator("input[name=cost]").fill(cost)
