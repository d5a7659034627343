"""The panel's view of the escrow, and the claim, on a 390 px phone in chromium: long file hashes
wrap instead of running off the screen (`open_page` checks every page it opens for that), and
the galleries of photos (the inspection request's, a defect's, the owner's evidence) load."""

from playwright.async_api import expect

from tests.kits.driver import open_page
from tests.kits.evidence_files import digest_of, photo
from tests.kits.staff_kit import filed_case
from tests.web.conftest import referenced, screenshot
from web.session import SESSION_COOKIE

DRAIN_PHOTO = photo(400, 300)
DRAIN = {
    "description": "地漏倒坡积水",
    "location": "主卫",
    "cost_estimate_fen": 120_000,
    "photos": [DRAIN_PHOTO],
}
LOADED = "img => img.complete && img.naturalWidth > 0"


async def test_the_expert_and_the_owner_read_the_case_with_its_escrow_on_a_phone(stack, new_context):
    disputed = await filed_case(stack, defects=[DRAIN])
    case, owner = disputed.case, disputed.flow.owner
    await case.accept()
    await case.answer("the drain was laid to the plan")
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    photos = [photo(320 + n, 240) for n in range(3)]
    await case.submit_evidence(owner, photos, note="the ceiling below, three days running")
    await referenced(stack, case.case_id, [digest_of(data) for data in photos])
    member = case.expert(case.seats(state)[0])
    base = str(stack.http.base_url).rstrip("/")

    for reader, path, name in (
        (member, f"/expert/cases/{case.case_id}", "expert-case-escrow"),
        (owner, f"/my/cases/{case.case_id}", "owner-case-claim"),
    ):
        context = await new_context()
        session = await reader.open_session()
        await context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": base}])
        phone = await context.new_page()
        await open_page(phone, path)  # fails if anything is wider than the screen
        if reader is member:
            await expect(phone.locator("#escrow-stage-1 .defects")).to_contain_text("地漏倒坡积水")
            defect_photo = phone.locator(
                f'#escrow-stage-1 .defects img[src="/evidence/{digest_of(DRAIN_PHOTO)}/thumbnail"]'
            )
            await defect_photo.scroll_into_view_if_needed()
            await phone.wait_for_function(LOADED, arg=await defect_photo.element_handle())
        else:  # the owner reads the escrow on its own page
            await expect(phone.locator("#case-escrow")).to_have_count(0)
        await expect(phone.locator("#claim-facts")).to_contain_text("refund of the stage")
        await expect(phone.locator("#evidence")).to_contain_text("the ceiling below, three days running")
        last = phone.locator(f'#evidence img[src="/evidence/{digest_of(photos[2])}/thumbnail"]')
        await last.scroll_into_view_if_needed()
        await phone.wait_for_function(LOADED, arg=await last.element_handle())
        await screenshot(phone, name)
