"""Key recovery in the browser, on a phone-sized screen: the new device makes its key and asks,
one council member records the identity check and approves, another binds, each with the key in
their own browser, and the party's surviving device cancels (docs/RECOVERY.md)."""

from playwright.async_api import expect

from tests.kits.driver import check_usable, signed_in
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.recovery_kit import ID_NUMBER
from tests.web.conftest import screenshot


async def test_a_recovery_is_asked_checked_signed_by_two_members_and_cancelled_by_a_surviving_key(
    stack, new_context
):
    owner_page, owner_id = await signed_in(await new_context(locale="en"), "owner", "Li Wei")

    device = await (await new_context(locale="en")).new_page()
    await device.goto("/lang/en?next=/recover")
    await check_usable(device)
    # A mistyped id is refused in the page's own words, and nothing is kept on the device.
    await device.fill("#party_id", owner_id + "X")
    await device.click("#ask-recovery button[type=submit]")
    await expect(device.locator("#step-error")).to_contain_text("There is no party with this id")
    await device.fill("#party_id", owner_id)
    await device.fill("#label", "borrowed phone")
    await device.click("#ask-recovery button[type=submit]")
    await device.wait_for_url("**/recover/KR-*")
    request_id = (await device.text_content(".request-id strong")).strip()
    await expect(device.locator("#this-device-new")).to_be_visible()
    await check_usable(device)

    first, first_id = await signed_in(
        await new_context(locale="en"), "council", "Member Zhang", COUNCIL_SECRET
    )
    await first.goto("/lang/en?next=/council/recoveries")  # the language stays through the redirect
    await first.goto(f"/council/recoveries?find={request_id}")
    await first.wait_for_url(f"**/council/recoveries/{request_id}*")
    await check_usable(first)
    await first.select_option("#document_kind", "resident_identity_card")
    await first.fill("#document_number", ID_NUMBER)
    await first.check("input[name=photo_matched]")
    await first.check("input[name=name_matched]")
    await first.fill("#notes", "asked about the bathroom stage")
    async with first.expect_navigation():
        await first.click("#identity-check button[type=submit]")
    await expect(first.locator("main")).to_contain_text("identity checked")
    assert ID_NUMBER not in await first.content()
    async with first.expect_navigation():
        await first.click("#approve")
    await expect(first.locator("main")).to_contain_text("A different council member signs the binding")
    assert await first.locator("#bind").count() == 0  # the approver cannot bind too

    second, second_id = await signed_in(
        await new_context(locale="en"), "council", "Member Chen", COUNCIL_SECRET
    )
    await second.goto(f"/council/recoveries/{request_id}?lang=en")
    async with second.expect_navigation():
        await second.click("#bind")
    await expect(second.locator("main")).to_contain_text("waiting until")
    await check_usable(second)
    # the members by their names, each with the party id beside it
    for field, name, party_id in (
        ("checked", "Member Zhang", first_id),
        ("approved", "Member Zhang", first_id),
        ("bound", "Member Chen", second_id),
    ):
        await expect(second.locator(f"#{field}-by")).to_contain_text(name)
        await expect(second.locator(f"#{field}-by .member-id")).to_have_text(party_id)
    await screenshot(second, "recovery_desk_waiting")

    await second.goto("/council/recoveries?state=waiting&lang=en")
    await expect(second.locator("main")).to_contain_text(request_id)
    await check_usable(second)

    await owner_page.goto(f"/recover/{request_id}?lang=en")
    await expect(owner_page.locator("#cancel-section")).to_be_visible()
    await screenshot(owner_page, "recovery_cancel_offered")
    async with owner_page.expect_navigation():
        await owner_page.click("#cancel-recovery")
    await expect(owner_page.locator("#recover-state")).to_contain_text("cancelled")

    await device.reload()
    await expect(device.locator("#recover-state")).to_contain_text("cancelled")
    await expect(device.locator("#cancel-section")).to_be_hidden()
