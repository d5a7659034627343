"""What a person does on the escrow pages, as Playwright steps: one place for the selectors."""

from playwright.async_api import BrowserContext, Page, expect
from playwright.async_api import Error as PlaywrightError

from client.businesses import demo_credit_code
from tests.kits.businesses import verify_registered
from tests.kits.told_time import tell_time
from tests.web.conftest import screenshot


async def register(context: BrowserContext, role: str, name: str, *, verify: bool = True) -> tuple[Page, str]:
    """Open the sign-in page in a fresh context, make a key for this role and sign in.

    A business gives a demo licence (its name as legal name) and, unless `verify` is False, a
    council clerk verifies it, so a contract or case can name it."""
    page = await context.new_page()
    await page.goto("/signin")
    await page.select_option("#role", role)
    await page.fill("#display-name", name)
    business = role in ("contractor", "dealer", "inspector")
    if business:
        await page.fill("#credit-code", demo_credit_code())
        await page.fill("#legal-name", name)
    await page.click("#register button[type=submit]")
    await page.wait_for_url("**/my/*")  # escrows, or cases for car buyers and dealers
    party_id = (await page.text_content("#my-party-id")).strip()
    if business and verify:
        await verify_registered(page.url.split("/my/")[0], party_id)
    return page, party_id


async def open_page(page: Page, path: str) -> None:
    """Load a page afresh. An escrow or case page left open reloads itself when someone else
    acts; when that reload of the same page overtakes this navigation, or comes while the
    loaded page is checked, its load is awaited."""
    try:
        await page.goto(path)
    except PlaywrightError:
        # Interrupted or aborted by the page's own reload: fine if that reload is of this page.
        await page.wait_for_load_state()
        if not page.url.endswith(path):
            raise
    await check_usable(page)


async def open_escrow(page: Page, escrow_id: str) -> None:
    await open_page(page, f"/my/escrows/{escrow_id}")
    await expect(page.locator("#page-data")).to_have_attribute("data-subject", escrow_id)


async def at_case_time(page: Page, clocks, case_id: str, path: str | None = None) -> None:
    """Set the browser's clock, and the server's time it is told (which stamps what it signs), to
    the case's virtual time; then open `path`."""
    moment = await clocks.now(case_id)
    await page.clock.set_fixed_time(moment)
    await tell_time(page, moment)
    if path is not None:
        await open_page(page, path)


async def fill_car_facts(page: Page, facts: dict) -> None:
    """Give a car claim's facts on /my/cases/new: a ticked box states its value, and anything
    beyond the dates, km and part asked first is under "more facts", opened for it if closed."""
    more = page.locator("#more-car-facts")
    if set(facts) - {
        "invoiced_on",
        "delivered_on",
        "fault_on",
        "km",
        "fault_part",
    } and not await more.evaluate("d => d.open"):
        await more.locator("summary").click()
    for name, value in facts.items():
        if name in ("fault_part", "use"):
            await page.select_option(f"#fact-{name}", value)
        elif isinstance(value, bool):
            box = page.locator(f'input[type=checkbox][name="{name}"]')
            assert await box.get_attribute("value") == str(value).lower(), f"no box says {name}={value}"
            await box.check()
        else:
            await page.fill(f"#fact-{name}", str(value))


UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea, button"))
    .filter(el => el.type !== "hidden" && !el.closest("template, dialog"))
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !(el.tagName === "BUTTON" && el.textContent.trim()))
    .map(el => el.outerHTML)"""


async def check_usable(page: Page) -> None:
    """Every control has a label, and nothing runs off the side of the screen. An escrow or case
    page that sees its subject change reloads itself: one that does so while being checked (the
    check fails, or measures a document on its way out) is checked again once loaded; a page
    that fails three checks in a row fails."""
    for attempt in range(3):
        try:
            return await _usable(page)
        except (PlaywrightError, AssertionError):
            if attempt == 2:
                raise
            await page.wait_for_load_state()


async def _usable(page: Page) -> None:
    assert await page.evaluate(UNLABELLED) == []
    overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


async def sign(
    page: Page, form: str, *, expect_in_dialog: list[str] = (), screenshot_as: str | None = None
) -> str:
    """Submit a step form, check the plain-word summary, then sign; returns the summary text."""
    await page.click(f"{form} button[type=submit]")
    dialog = page.locator("#confirm-step")
    await expect(dialog).to_be_visible()
    summary = await dialog.locator(".what").inner_text()
    for text in expect_in_dialog:
        assert text in summary, f"{text!r} is not in what the page asks to sign:\n{summary}"
    if screenshot_as:
        await screenshot(page, screenshot_as)
    # The dialog puts the focus on its sign button: a keyboard user confirms with Enter.
    await expect(dialog.locator("button[value=sign]")).to_be_focused()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    return summary


async def phase(page: Page) -> str:
    return await page.get_attribute("#phase", "data-phase")


async def wait_for_phase(page: Page, wanted: str, timeout_ms: int = 30_000) -> None:
    """The page refreshes itself when the escrow changes (deposits arrive from the bank)."""
    await page.wait_for_selector(f'#phase[data-phase="{wanted}"]', timeout=timeout_ms)


async def token_of(page: Page, party_id: str) -> str:
    """A new API token for the party, for a test's own reads over the API. The browser keeps no
    token, so its key asks for one (`token.issue`), on a sign-in page of its own: `page` stays put."""
    signer = await page.context.new_page()
    try:
        await signer.goto("/signin")
        return await signer.evaluate(
            """async id => (await Signing.submit(id, "/parties/me/tokens",
                {action: "token.issue", subject: id, payload: {}})).token""",
            party_id,
        )
    finally:
        await signer.close()


async def signed_in(
    context: BrowserContext, role: str, name: str, secret: str | None = None
) -> tuple[Page, str]:
    """A page in this context, signed in as a party whose key was made in this browser."""
    page = await context.new_page()
    await page.goto("/signin")
    await page.wait_for_function("() => window.Signing !== undefined")
    identity = await page.evaluate(
        "([role, displayName, enrolmentSecret]) => Signing.register({role, displayName, enrolmentSecret})",
        [role, name, secret],
    )
    await page.evaluate("id => Signing.signIn(id)", identity["partyId"])
    return page, identity["partyId"]
