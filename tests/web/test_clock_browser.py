"""Phones whose clocks are 20 minutes behind sign in and sign an escrow step, on a 390 px screen:
the pages stamp envelopes with the server's time (told in every page and every answer), not the
phone's. A phone that could not learn the server's time is refused and told, in its reader's
language, how far off its clock is and what to do; reloading the page (which tells the time
again) lets it sign."""

from datetime import UTC, datetime, timedelta

from playwright.async_api import BrowserContext, Page, Route, expect

from api.server_clock import SERVER_TIME_HEADER
from tests.kits.driver import open_escrow, register, sign, token_of
from tests.kits.flow import EscrowFlow
from tests.kits.told_time import PAGE_CLOCK, unzipped_headers

BEHIND = timedelta(minutes=20)

# An envelope stamped with the phone's own clock, as the pages did before they learned the time.
STAMPED_BY_THE_PHONE = """async id => {
    const envelope = {...Signing.envelope(id, {action: "token.issue", subject: id, payload: {}}),
                      timestamp: new Date().toISOString()};
    try {
        await Signing.post("/parties/me/tokens", await Signing.signEnvelope(envelope));
        return ["accepted", ""];
    } catch (refused) {
        return [refused.code, refused.message];
    }
}"""


async def slow_phone(new_context) -> BrowserContext:
    context = await new_context()
    await context.clock.install(time=datetime.now(UTC) - BEHIND)
    return context


async def told_no_time(route: Route) -> None:
    """The answer without the server's time: neither its header nor the page's own."""
    answer = await route.fetch(max_redirects=0)
    headers = {
        name: value for name, value in unzipped_headers(answer).items() if name != SERVER_TIME_HEADER.lower()
    }
    body = PAGE_CLOCK.sub(lambda m: m.group(1) + b"0", await answer.body())
    await route.fulfill(response=answer, headers=headers, body=body)


async def phone_time_ms(page: Page) -> int:
    return await page.evaluate("() => Date.now()")


async def test_phones_twenty_minutes_behind_sign_in_and_sign_a_step(new_context, stack):
    owner, owner_id = await register(await slow_phone(new_context), "owner", "钟慢业主")  # signed in
    contractor, contractor_id = await register(await slow_phone(new_context), "contractor", "钟慢装修")
    lag_ms = datetime.now(UTC).timestamp() * 1000 - await phone_time_ms(owner)
    assert abs(lag_ms - BEHIND.total_seconds() * 1000) < 60_000  # the phone's clock really is behind

    flow = EscrowFlow(stack)
    await flow.register_inspector()
    flow.owner.id, flow.owner.token = owner_id, await token_of(owner, owner_id)
    flow.contractor.id, flow.contractor.token = contractor_id, await token_of(contractor, contractor_id)
    await flow.create(total_fen=3_000_000)

    await open_escrow(owner, flow.escrow_id)  # checks the page fits 390 px
    await sign(owner, 'form[data-step="contract.sign"]', screenshot_as="slow-phone-signs-contract")

    # The contractor's phone is told no time: refused, and told why in Chinese.
    await contractor.route(lambda url: "/static/" not in url, told_no_time)
    await open_escrow(contractor, flow.escrow_id)
    await contractor.click('form[data-step="contract.sign"] button[type=submit]')
    await expect(contractor.locator("#confirm-step")).to_be_visible()
    await contractor.keyboard.press("Enter")
    error = contractor.locator("#step-error")
    await expect(error).to_contain_text("您设备的时钟比服务器慢 20 分钟")
    await expect(error).to_contain_text("自动设置日期和时间")
    assert (await flow.state()).phase == "draft"

    await contractor.unroute_all()
    await open_escrow(contractor, flow.escrow_id)  # reloaded: told the time again
    await sign(contractor, 'form[data-step="contract.sign"]')
    state = await flow.state()
    assert state.phase != "draft", state.phase

    trail = await flow.owner.audit_trail(flow.escrow_id)
    stamps = [entry["envelope"]["timestamp"] for entry in trail["entries"]]
    assert [entry["action"] for entry in trail["entries"]] == ["contract.sign", "contract.sign"]
    for stamp in stamps:
        off = datetime.fromisoformat(stamp.replace("Z", "+00:00")) - datetime.now(UTC)
        assert abs(off) < timedelta(minutes=2), stamps


async def test_a_refusal_for_time_says_how_far_off_the_clock_is_in_english_too(new_context):
    context = await slow_phone(new_context)
    page, party_id = await register(context, "owner", "Slow Clock Owner")
    await page.goto("/signin?lang=en")
    code, message = await page.evaluate(STAMPED_BY_THE_PHONE, party_id)
    assert code == "stale_timestamp"
    assert message.startswith("Your device's clock is 20 minutes behind the server's"), message
    assert "Set the device to automatic date and time, or reload this page and sign again." in message
    # stamped by the pages themselves, the same request is taken
    token = await page.evaluate(
        """async id => (await Signing.submit(id, "/parties/me/tokens",
            {action: "token.issue", subject: id, payload: {}})).token""",
        party_id,
    )
    assert token
