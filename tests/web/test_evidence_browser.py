"""A photo from an owner's phone to the panel's eyes, in chromium at 390 px: the owner chooses a
real JPEG for the claim, the page uploads it (hashed, PUT under its hash, the answer checked)
before anything is signed, and an expert seated on the case's panel sees its thumbnail in the
case file. A file the store refuses is named in the reader's words, and nothing is signed."""

from pathlib import Path

from playwright.async_api import Page, expect

from tests.kits.driver import at_case_time, check_usable, open_page, register, sign
from tests.kits.evidence_files import digest_of, photo
from tests.kits.owner_kit import dispute_in_browser, funded_for_browser_owner
from tests.kits.staff_kit import owner_against_contractor
from tests.web.conftest import referenced, screenshot
from web.session import SESSION_COOKIE

FORM = 'form[data-step="claim.file"]'
LEAK = "卫生间地面闭水试验渗漏"
NOTE = "楼下天花板的水渍，连续三天拍摄"
# naturalWidth is 0 for an image that failed to load (a 403, a broken thumbnail)
LOADED = "img => img.complete && img.naturalWidth > 0"


async def fill_claim(owner: Page) -> None:
    await owner.fill(f"{FORM} input[name=description]", LEAK)
    await owner.fill(f"{FORM} textarea[name=remedy_sought]", "退还第 1 阶段款项")
    await owner.select_option(f"{FORM} select[name=main_specialty]", "waterproofing")


async def test_an_owner_files_a_photo_and_the_panel_sees_its_thumbnail(new_context, stack, tmp_path: Path):
    owner, owner_id = await register(await new_context(), "owner", "王芳")
    flow = await funded_for_browser_owner(stack, owner, owner_id, 5_000_000)
    await dispute_in_browser(owner, flow.escrow_id, 1, "水电隐蔽工程渗漏")
    await fill_claim(owner)
    sent: list[tuple[str, str]] = []  # the uploads and the claim, in the order the page sends them

    def record(request) -> None:
        path = request.url.split(base, 1)[1]
        if path.startswith("/evidence/") or path == "/cases":
            sent.append((request.method, path.split("?", 1)[0]))

    base = str(stack.http.base_url).rstrip("/")
    owner.on("request", record)

    # A file the store does not keep: refused by the upload, named, and nothing is signed.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    await owner.set_input_files(f"{FORM} input[name=evidence]", str(notes))
    await owner.click(f"{FORM} button[type=submit]")
    await expect(owner.locator("#step-error")).to_contain_text("notes.txt 不是可作为证据保存的文件类型")
    await expect(owner.locator(f"{FORM} ul.uploads")).to_contain_text("未上传")
    await expect(owner.locator("#confirm-step")).not_to_be_visible()
    assert [method for method, _ in sent] == ["GET", "PUT"]  # asked whether stored, then refused
    sent.clear()

    # A real photo: uploaded with its progress shown, then named in the dialog by name and size.
    ceiling = tmp_path / "ceiling.jpg"
    ceiling.write_bytes(photo(1600, 1200))
    digest = digest_of(ceiling.read_bytes())
    await owner.set_input_files(f"{FORM} input[name=evidence]", str(ceiling))
    await check_usable(owner)
    summary = await sign(owner, FORM, expect_in_dialog=["ceiling.jpg (", digest, LEAK])
    assert " MB) " in summary or " KB) " in summary
    await owner.wait_for_url("**/my/cases/CASE-*")
    case_id = owner.url.rsplit("/", 1)[1]
    uploaded_then_signed = [
        ("GET", f"/evidence/{digest}/meta"),
        ("PUT", f"/evidence/{digest}"),
        ("POST", "/cases"),
    ]
    assert sent[:3] == uploaded_then_signed  # then the case page's thumbnail

    # The owner's own case page shows it at once (the uploader may always read it).
    await expect(owner.locator("#evidence li.kind-photo")).to_contain_text("王芳")
    await expect(owner.locator(f'#evidence img[src="/evidence/{digest}/thumbnail"]')).to_have_count(1)
    await check_usable(owner)
    await screenshot(owner, "owner-case-evidence")

    # The case goes to a panel: the council accepts, the contractor answers, nobody settles.
    demo, case = await owner_against_contractor(stack, flow)
    case.case_id = case_id
    await case.accept()
    await case.answer("防水层按图施工，闭水试验合格")
    await demo.negotiate_in_vain(case)
    state = await demo.form_panel(case)
    member = case.expert(case.seats(state)[0])

    # Before the panel decides, the owner adds a photo on her case page, with a note for the panel.
    await at_case_time(owner, demo.clocks, case_id, f"/my/cases/{case_id}")
    evidence_form = 'form[data-step="evidence.submit"]'
    stain = tmp_path / "stain.jpg"
    stain.write_bytes(photo(1200, 900))
    await owner.set_input_files(f"{evidence_form} input[name=evidence]", str(stain))
    await owner.fill(f"{evidence_form} textarea[name=note]", NOTE)
    await sign(owner, evidence_form, expect_in_dialog=["stain.jpg (", NOTE])
    submitted = await case.wait_for(lambda s: len(s.evidence) == 2, "the owner's evidence")
    assert (submitted.evidence[1].note, submitted.evidence[1].hashes) == (
        NOTE,
        [digest_of(stain.read_bytes())],
    )
    await referenced(stack, case_id, [digest_of(stain.read_bytes())])

    context = await new_context()
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await member.open_session(), "url": base}])
    phone = await context.new_page()
    await open_page(phone, f"/expert/cases/{case_id}")  # fails if anything is wider than the screen
    entry = phone.locator("#evidence li", has_text="随申请提交")
    thumbnail = entry.locator(f'img[src="/evidence/{digest}/thumbnail"]')
    await thumbnail.scroll_into_view_if_needed()  # loading="lazy": it loads once near the screen
    await expect(thumbnail).to_have_attribute("alt", "王芳 添加的照片")
    await phone.wait_for_function(LOADED, arg=await thumbnail.element_handle())
    await expect(entry.locator("li.kind-photo")).to_contain_text("由 王芳 添加")
    await expect(entry.locator("code.hash")).to_have_text(digest)
    await expect(phone.locator("#answer")).to_contain_text("防水层按图施工，闭水试验合格")
    added = phone.locator("#evidence li", has_text=NOTE)
    stained = added.locator(f'img[src="/evidence/{digest_of(stain.read_bytes())}/thumbnail"]')
    await stained.scroll_into_view_if_needed()
    await phone.wait_for_function(LOADED, arg=await stained.element_handle())
    await check_usable(phone)
    await screenshot(phone, "expert-case-evidence")
