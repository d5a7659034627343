"""The panel's view of the escrow, and the claim, on a 390 px phone in chromium: long file hashes
wrap instead of running off the screen (`open_page` checks every page it opens for that)."""

import hashlib

from playwright.async_api import expect

from tests.kits.driver import open_page
from tests.kits.staff_kit import filed_case
from tests.web.conftest import screenshot
from web.session import SESSION_COOKIE

DRAIN = {"description": "地漏倒坡积水", "location": "主卫", "cost_estimate_fen": 120_000}


async def test_the_expert_and_the_owner_read_the_case_with_its_escrow_on_a_phone(stack, new_context):
    disputed = await filed_case(stack, defects=[DRAIN])
    case, owner = disputed.case, disputed.flow.owner
    await case.accept()
    await case.answer("sha256:contractor-answer")
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    photos = [f"sha256:{hashlib.sha256(f'photo {n}'.encode()).hexdigest()}" for n in range(3)]
    await case.submit_evidence(owner, photos)
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
        else:  # the owner reads the escrow on its own page
            await expect(phone.locator("#case-escrow")).to_have_count(0)
        await expect(phone.locator("#claim-facts")).to_contain_text("refund of the stage")
        await expect(phone.locator("ul.evidence")).to_contain_text(photos[0])
        await screenshot(phone, name)
