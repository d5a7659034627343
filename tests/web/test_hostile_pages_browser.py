"""In chromium: a page of another origin cannot frame ours, and sign-in never leaves our origin
whatever `next` it was given (the server drops an off-site one, and the page's script resolves
what it is given against our origin before it follows it)."""

import pytest
from playwright.async_api import BrowserContext, Page, Route
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route as Path

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from tests.kits.driver import open_escrow, register, token_of
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow
from tests.kits.servers import serve
from tests.kits.told_time import unzipped_headers


def attacker_site(victim_url: str) -> Starlette:
    """Another origin (same host, another port: the same site, so even a SameSite=Strict cookie
    rides along) that frames the victim page, and one page of its own as a control."""

    async def framing(_request: Request) -> HTMLResponse:
        return HTMLResponse(
            f'<iframe name="victim" src="{victim_url}"></iframe><iframe name="own" src="/own"></iframe>'
        )

    async def own(_request: Request) -> HTMLResponse:
        return HTMLResponse("<p id=own>framed fine</p>")

    return Starlette(routes=[Path("/", framing), Path("/own", own)])


async def test_another_origin_cannot_frame_the_escrow_page(new_context, stack):
    context = await new_context()
    owner, owner_id = await register(context, "owner", "Framed Owner")
    flow = EscrowFlow(stack)
    await flow.council.register(enrolment_secret=COUNCIL_SECRET)
    for business in (flow.contractor, flow.inspector):
        await enrol_verified(business, flow.council)
    await accredit_inspector(flow.council, flow.inspector.id)
    flow.owner.id, flow.owner.token = owner_id, await token_of(owner, owner_id)
    await flow.create(total_fen=10_000_000)
    await open_escrow(owner, flow.escrow_id)  # on its own, the page and its signing form show
    assert await owner.locator('form[data-step="contract.sign"]').count() == 1
    victim_url = f"{str(stack.http.base_url).rstrip('/')}/my/escrows/{flow.escrow_id}"

    async with serve(attacker_site(victim_url)) as attacker_url:
        page = await context.new_page()
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        await page.goto(attacker_url)
        own, victim = page.frame(name="own"), page.frame(name="victim")
        assert await own.text_content("#own") == "framed fine"  # the attacker's own frame loads
        assert not victim.url.startswith(victim_url)
        assert await victim.locator("#page-data, form").count() == 0
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refusals), refusals


async def sign_up(page: Page, role: str = "owner") -> None:
    await page.select_option("#role", role)
    await page.fill("#display-name", "Returning Owner")
    await page.click("#register button[type=submit]")


async def goes_to(context: BrowserContext, stack, signin_path: str, *, data_next: str | None = None) -> str:
    """Sign up on `signin_path` and return where the browser ends up (every request's host noted).
    `data_next` replaces what the server rendered, to test the page's script on its own."""
    page = await context.new_page()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(request.url.split("/")[2]))
    if data_next is not None:

        async def rewrite(route: Route) -> None:
            response = await route.fetch()
            html = (await response.text()).replace('data-next=""', f'data-next="{data_next}"')
            await route.fulfill(response=response, headers=unzipped_headers(response), body=html)

        await page.route("**/signin*", rewrite)
    await page.goto(signin_path)
    await sign_up(page)
    base = str(stack.http.base_url).rstrip("/")
    await page.wait_for_url(lambda url: url.startswith(base) and "/signin" not in url)
    assert not [host for host in hosts if "evil.example" in host]
    return page.url.removeprefix(base)


@pytest.mark.parametrize("raw_next", ["/\\evil.example/x", "/%09/evil.example"])
async def test_sign_in_with_an_off_site_next_lands_on_our_own_page(new_context, stack, raw_next):
    assert await goes_to(await new_context(), stack, f"/signin?next={raw_next}") == "/my/escrows"


@pytest.mark.parametrize("data_next", ["/\\evil.example/x", "/&#9;/evil.example", "https://evil.example/"])
async def test_the_sign_in_script_itself_refuses_an_off_site_next(new_context, stack, data_next):
    assert await goes_to(await new_context(), stack, "/signin", data_next=data_next) == "/my/escrows"


async def test_sign_in_returns_to_a_local_next(new_context, stack):
    assert await goes_to(await new_context(), stack, "/signin?next=/public") == "/public"
