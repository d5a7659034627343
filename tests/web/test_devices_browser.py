"""A second phone paired through the pages, in chromium at 390 px: two browser contexts are the
two devices, each with its own IndexedDB key and cookie.

The signed-in phone shows a pairing code and its QR; the new phone opens the QR's address, names
itself and answers; both show the same digits; the first confirms (signing `key.add`); the new
phone signs in with its own key and lists the devices, itself marked. It then revokes the first
phone after the confirm dialog, and the first phone's key no longer signs in.
"""

import re

from playwright.async_api import expect

from tests.kits.driver import check_usable, open_page, register
from tests.web.conftest import screenshot


async def test_a_second_phone_is_paired_through_the_pages_then_signs_in_and_revokes_the_first(new_context):
    first = await new_context()
    page, party_id = await register(first, "owner", "两部手机的业主")
    await expect(page.locator('a[href="/my/devices"]')).to_be_visible()  # in the party's navigation
    await open_page(page, "/my/devices")
    await expect(page.locator(".device")).to_have_count(1)
    await expect(page.locator(".device .this-device")).to_be_visible()
    await expect(page.locator("[data-revoke]")).to_have_count(0)  # the only key cannot be revoked

    await page.click("#open-pairing")
    await expect(page.locator("#pairing-qr svg")).to_be_visible()
    code = (await page.text_content("#pairing-code")).strip()
    address = (await page.text_content("#pairing-url")).strip()
    assert address.endswith(f"/pair#{code}")
    await check_usable(page)
    await screenshot(page, "devices-pairing-code")

    second = await new_context()
    phone = await second.new_page()
    await phone.goto(address[address.index("/pair#") :])  # the QR's address, on this stack
    await expect(phone.locator("#pair-code")).to_have_value(code)
    assert "#" not in phone.url  # the code is taken off the address bar once read
    await phone.fill("#pair-label", "第二部手机")
    await check_usable(phone)
    # A mistyped code is refused in the page's own words for it; the right one then goes through.
    await phone.fill("#pair-code", "WRONG-CODE")
    await phone.click("#pair-form button[type=submit]")
    await expect(phone.locator("#step-error")).to_contain_text("这不是当前有效的配对码")
    await phone.fill("#pair-code", code)
    await phone.click("#pair-form button[type=submit]")
    await expect(phone.locator("#pair-fingerprint")).to_have_text(
        re.compile(r"^[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$")
    )
    await expect(phone.locator("#pair-party")).to_contain_text("两部手机的业主")
    digits = await phone.text_content("#pair-fingerprint")

    # the first phone shows the same digits, computed from the key it is about to sign for
    await expect(page.locator("#pairing-check")).to_be_visible()
    await expect(page.locator("#pairing-label")).to_have_text("第二部手机")
    await expect(page.locator("#pairing-fingerprint")).to_have_text(digits)
    await screenshot(phone, "devices-new-phone-waiting")
    async with page.expect_navigation():
        await page.click("#confirm-pairing")
    await expect(page.locator(".device")).to_have_count(2)

    # the new phone sees the pairing done, keeps its key, signs in with it and lists the devices
    await phone.wait_for_url("**/my/devices")
    await expect(phone.locator(".device")).to_have_count(2)
    await expect(phone.locator(".device").nth(1).locator(".device-label")).to_have_text("第二部手机")
    await expect(phone.locator(".device").nth(1).locator(".this-device")).to_be_visible()
    await expect(phone.locator(".device").nth(0).locator(".this-device")).to_be_hidden()
    await check_usable(phone)
    await screenshot(phone, "devices-list-on-the-new-phone")

    # the first phone is lost: the new one revokes it, after saying so in the dialog
    await phone.locator(".device").nth(0).locator("[data-revoke]").click()
    dialog = phone.locator("#confirm-revoke")
    await expect(dialog).to_be_visible()
    # the registration key's stored label, "first device", in the reader's words
    await expect(dialog.locator("#revoke-label")).to_have_text("第一台设备")
    async with phone.expect_navigation():
        await dialog.locator("button[value=revoke]").click()
    await expect(phone.locator(".device.revoked")).to_have_count(1)
    await expect(phone.locator(".device").nth(0).locator(".revoked-at")).to_be_visible()
    await expect(phone.locator("[data-revoke]")).to_have_count(0)  # the phone is the last key now

    # the lost phone's key signs in no more
    await page.goto("/signin")
    await page.click(f'.sign-in-as[data-party-id="{party_id}"]')
    await expect(page.locator("#step-error")).to_be_visible()
    assert "/signin" in page.url
