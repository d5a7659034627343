"""Every page of every role on a 390 px phone: nothing scrolls sideways, charts read, tables read.

The pages are the app's own GET page routes (tests/kits/page_routes.py), so a page added to
the app is opened here too, by every reader it answers with a page: each route is asked for
over HTTP as each kind of reader, and whoever gets an HTML page (200) opens it in the
browser. `test_every_page_route_is_opened` fails for a route nobody gets a page from that is
not named in `NOT_PAGES`. The world gives every role something to show: escrow A past a
failed inspection with a dispute, its case R filed with photos (owner against contractor),
car case C with its panel drawn, the dealer's compensation fund pledged, an escrow signed and
waiting for its deposit at the bank's desk, a published quarter, a key recovery waiting for the
council.

On every page, with its folded sections opened: the document is no wider than the screen,
every chart's text draws at least 11 px tall, no table cell is squeezed narrower than
about three characters (the one-character-a-line symptom), and every table of three or more
columns is a list of cards (table.stacks) whose every cell carries its column's heading; in
Chinese and in English. Each reader's main pages are saved as screenshots
(artifacts/screenshots/phone-*.png) to look at. The table-heavy pages are opened once more with
JavaScript off: their cards show each value's heading all the same.
"""

from dataclasses import dataclass, field

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from sqlmodel import Session

from client.case_session import CaseSession
from client.funds import fund_step
from public_record.periods import Quarter
from public_record.store import publish
from tests.kits.driver import open_page
from tests.kits.evidence_files import pdf, photo
from tests.kits.flow import EscrowFlow
from tests.kits.page_routes import page_routes
from tests.kits.security_world import ANONYMOUS, World, build_world
from tests.kits.staff_kit import session_cookie
from tests.web.conftest import screenshot
from web.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES
from web.session import SESSION_COOKIE

# One reader of each kind; the security world's outsiders see the same pages with less on them.
READERS = (
    "owner",
    "contractor",
    "inspector",
    "council",
    "seated_expert",
    "bank",
    "buyer",
    "dealer",
    "housing_association",
    ANONYMOUS,
)
# GET routes that answer nobody with a page a person reads, and why.
NOT_PAGES = {
    "/lang/{language}": "a redirect back to the page the reader was on",
    "/my/escrows/{escrow_id}/version": "JSON the escrow page polls",
    "/my/cases/{case_id}/version": "JSON the case page polls",
    "/council/cases/{case_id}/version": "JSON the case page polls",
    "/expert/cases/{case_id}/version": "JSON the case page polls",
    "/my/escrows/{escrow_id}/statement.csv": "a spreadsheet download",
    "/my/statement.csv": "a spreadsheet download",
    "/my/escrows/{escrow_id}/deposit-qr.svg": "an image the deposit step shows",
    "/my/fund/deposit-qr.svg": "an image the fund page shows",
}
QUARTER = "2001Q1"  # long past, so no other test's data is frozen into it; published once, kept
# the pages screenshotted for each reader: the one it lands on and the one it works in
MAIN_PAGES = {
    "/",
    "/public",
    "/public/scorecards",
    "/public/warnings",
    "/my/escrows",
    "/my/escrows/{escrow_id}",
    "/my/cases",
    "/my/cases/{case_id}",
    "/council",
    "/council/cases/{case_id}",
    "/council/experts",
    "/expert",
    "/expert/cases/{case_id}",
    "/bank",
    "/bank/ledger",
    "/association/businesses",
    "/public/ratings/{party_id}",
    "/my/fund",
    "/council/funds",
}
# Opens every <details>, so what a tap would unfold is checked too.
OPEN_FOLDS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# Chart texts drawn under 11 px: the font size times the scale the SVG is drawn at.
SMALL_CHART_TEXT = """() => Array.from(document.querySelectorAll("svg.chart text")).map(text => {
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return {text: text.firstChild.textContent, px: parseFloat(getComputedStyle(text).fontSize) * scale};
}).filter(drawn => drawn.px < 11)"""
# Table cells of three characters or more laid out narrower than two ems (about three characters).
SQUEEZED_CELLS = """() => Array.from(document.querySelectorAll("td, th"))
    .filter(cell => cell.textContent.trim().length >= 3 && cell.getClientRects().length)
    .filter(cell => cell.getBoundingClientRect().width < 2 * parseFloat(getComputedStyle(cell).fontSize))
    .map(cell => cell.textContent.trim().slice(0, 40))"""
# Tables of three or more columns that are not cards on a phone, or whose cells do not carry
# their column's heading as data-label (templates/columns.html).
UNLABELLED_TABLES = """() => Array.from(document.querySelectorAll("table")).flatMap(table => {
    const heads = Array.from(table.querySelectorAll("thead th"), th => th.textContent.trim());
    if (heads.length < 3) return [];
    if (!table.classList.contains("stacks")) return [`a table of ${heads.join(" | ")} not as cards`];
    return Array.from(table.querySelectorAll("tbody td"))
        .filter(cell => cell.dataset.label !== heads[cell.cellIndex])
        .map(cell => `cell ${JSON.stringify(cell.textContent.trim().slice(0, 40))}`
            + ` labelled ${cell.dataset.label} under ${heads[cell.cellIndex]}`);
})"""
# Each card's cell as it shows: its label drawn before it (CSS generated content) and how it lays out.
CARD_CELLS = """() => Array.from(document.querySelectorAll("table.stacks tbody td"))
    .filter(cell => cell.getClientRects().length)
    .map(cell => ({
        label: cell.dataset.label,
        before: getComputedStyle(cell, "::before").content,
        display: getComputedStyle(cell).display,
    }))"""


@dataclass
class PhoneWorld:
    world: World
    case_r: str
    request_id: str
    expert_id: str  # an entry of the expert registry, for the council's page of it
    warning_id: str  # a consumer warning the council drafted, for its signing page
    cookies: dict[str, str]  # reader -> its session token
    routes: set[str]  # the app's GET page routes
    visits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # reader -> (route, path)

    def paths(self, route: str) -> set[str]:
        """The route with the world's ids: case routes for both cases."""
        ids = {
            "escrow_id": self.world.flow.escrow_id,
            "quarter": QUARTER,
            "request_id": self.request_id,
            "expert_id": self.expert_id,
            "party_id": self.world.flow.contractor.id,
            "warning_id": self.warning_id,
            "language": "en",
        }
        return {route.format(**ids, case_id=case_id) for case_id in (self.world.case_id, self.case_r)}

    async def answers_with_page(self, reader: str, path: str) -> bool:
        headers = {"Cookie": f"{SESSION_COOKIE}={self.cookies[reader]}"} if reader != ANONYMOUS else {}
        response = await self.world.http.get(path, headers=headers, follow_redirects=False)
        # /lang/{language} remembers a language in the shared client's jar: not for the next tests
        self.world.http.cookies.delete(LANGUAGE_COOKIE)
        return response.status_code == 200 and response.headers["content-type"].startswith("text/html")

    async def find_visits(self) -> None:
        """Who opens which page: every reader it answers with a page, but a page that answers
        a stranger is public and opened once, by the stranger."""
        self.visits = {reader: [] for reader in READERS}
        for route in sorted(self.routes):
            for path in sorted(self.paths(route)):
                if await self.answers_with_page(ANONYMOUS, path):
                    self.visits[ANONYMOUS].append((route, path))
                    continue
                for reader in READERS[:-1]:
                    if await self.answers_with_page(reader, path):
                        self.visits[reader].append((route, path))


# A consumer warning drafted by hand with long words in both languages, for the council's pages.
WARNING_DRAFT = {
    "title_zh": "家装防水工程投诉明显增多，签约前请核实施工方资质",
    "title_en": "Complaints about waterproofing work are rising: check the contractor before you sign",
    "text_zh": "近期防水工程投诉增多。签约前请查看商家的投诉记录和评分，分阶段付款，并保留闭水试验记录。",
    "text_en": "Complaints about waterproofing have risen. Before you sign, read the business's complaint "
    "record, pay by stages through escrow and keep the flood test record.",
    "category": "renovation/waterproofing",
    "valid_from": "2027-01-01",
    "valid_until": "2027-06-30",
}
DEFECT = {"description": "地漏倒坡积水", "location": "主卫", "cost_estimate_fen": 120_000}


@pytest.fixture(scope="module")
async def phone_world(stack, tmp_path_factory) -> PhoneWorld:
    """The security tests' world, with escrow A taken past a failed inspection to a dispute
    that the owner brings to the council as case R."""
    world = await build_world(stack)
    flow = world.flow
    await flow.request_inspection(1, [photo(330, 240)])
    await flow.report(1, "fail", [{**DEFECT, "photos": [photo(331, 240)]}], files=[pdf("the report")])
    dispute = await flow.raise_dispute(
        flow.owner, [1], "地漏积水，返工后仍然倒坡", evidence=[photo(332, 240)]
    )
    case_r = CaseSession(stack.http, claimant=flow.owner, respondent=flow.contractor, council=flow.council)
    claim = {
        "domain": "renovation",
        "main_specialty": "waterproofing",
        "items": [{"item_id": "drain", "description": "地漏倒坡积水，返工后仍然积水"}],
        "disputed_fen": (await flow.state()).stages[0].amount_fen,
        "remedy_sought": "refund of the stage",
        "escrow_id": flow.escrow_id,
        "escrow_dispute": dispute,
    }
    await case_r.file(claim, [photo(333, 240), photo(334, 240), pdf("the flood test record")])
    signed = await EscrowFlow(stack).register()  # for the bank's desk: signed, its deposit awaited
    await signed.create(total_fen=800_000)
    await signed.sign_contract()
    with Session(stack.engine) as session:
        publish(session=session, quarter=Quarter.parse(QUARTER))
    recovery = await world.recovery_request()
    # the dealer's fund pledges, so its page, the council's list and the public marks show figures
    await fund_step(world.parties["dealer"], world.fund_id, "fund.pledge", {"amount_fen": 1_000_000})
    cookies = {}
    for reader in READERS[:-1]:
        cookie = await session_cookie(world.parties[reader])
        cookies[reader] = cookie["Cookie"].split("=", 1)[1]
    routes = page_routes(tmp_path_factory.mktemp("app"))
    council = world.parties["council"]
    registry = await stack.http.get("/experts", params={"limit": 1}, headers=council.auth)
    expert_id = registry.json()["data"][0]["expert_id"]  # C's panel was drawn from it
    warning = await stack.http.post("/warnings", json=WARNING_DRAFT, headers=council.auth)
    found = PhoneWorld(
        world, case_r.case_id, recovery.request_id, expert_id, warning.json()["id"], cookies, routes
    )
    await found.find_visits()
    return found


async def test_every_page_route_is_opened(phone_world: PhoneWorld):
    opened = {route for visits in phone_world.visits.values() for route, _ in visits}
    assert phone_world.routes - opened == NOT_PAGES.keys(), (
        "a page route nobody opens at 390 px (or NOT_PAGES is stale)"
    )


def screenshot_name(route: str) -> str:
    """The route as a file name: /council/cases/{case_id} is council-cases-case_id."""
    return route.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "home"


async def problems_on(page: Page) -> list[str]:
    """What is wrong with the loaded page at this width (empty when nothing is)."""
    await page.evaluate(OPEN_FOLDS)
    found = []
    overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{overflow}px wider than the screen with its sections open")
    found += [
        f"chart text {small['text']!r} draws {small['px']:.1f}px"
        for small in await page.evaluate(SMALL_CHART_TEXT)
    ]
    found += [f"table cell {text!r} squeezed" for text in await page.evaluate(SQUEEZED_CELLS)]
    found += await page.evaluate(UNLABELLED_TABLES)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reader", READERS)
async def test_every_page_fits_a_phone(phone_world: PhoneWorld, new_context, reader: str, language: str):
    context = await new_context()
    url = str(phone_world.world.http.base_url)
    cookies = [{"name": LANGUAGE_COOKIE, "value": language, "url": url}]
    if reader != ANONYMOUS:
        cookies.append({"name": SESSION_COOKIE, "value": phone_world.cookies[reader], "url": url})
    await context.add_cookies(cookies)
    page = await context.new_page()
    wrong: dict[str, list[str]] = {}
    for route, path in phone_world.visits[reader]:
        await open_page(page, path)  # every control labelled, nothing off the side (folds closed)
        try:
            found = await problems_on(page)
        except PlaywrightError:  # the page saw its escrow or case move and reloaded itself
            await page.wait_for_load_state()
            found = await problems_on(page)
        if found:
            wrong[path] = found
        if route in MAIN_PAGES:
            name = screenshot_name(route)
            case_r = phone_world.case_r in path
            suffix = ("-R" if case_r else "") + ("" if language == DEFAULT_LANGUAGE else f"-{language}")
            await screenshot(page, f"phone-{reader}-{name}{suffix}")
    assert wrong == {}, f"{reader}'s pages at 390 px in {language}: {wrong}"


# Table-heavy pages, and who reads them: the statement, a council case with its drawn panel, the
# public scorecards, and the lists of cases, experts and the bank's journal.
TABLE_PAGES = (
    ("contractor", "/my/escrows/{escrow_id}/statement"),
    ("contractor", "/my/statement"),
    ("owner", "/my/escrows/{escrow_id}"),
    ("council", "/council/cases/{case_id}"),
    ("council", "/council"),
    ("council", "/council/experts"),
    ("bank", "/bank/ledger"),
    (ANONYMOUS, "/public/scorecards"),
)


async def test_tables_read_as_labelled_cards_without_javascript(phone_world: PhoneWorld, new_context):
    """The labels are the page's own (server-rendered data-label) and the cards are CSS alone."""
    context = await new_context(java_script_enabled=False)
    url = str(phone_world.world.http.base_url)
    wrong: dict[str, list[str]] = {}
    for reader, route in TABLE_PAGES:
        await context.clear_cookies()
        if reader != ANONYMOUS:
            await context.add_cookies(
                [{"name": SESSION_COOKIE, "value": phone_world.cookies[reader], "url": url}]
            )
        page = await context.new_page()
        path = next(
            path
            for seen, path in phone_world.visits[reader]
            if seen == route and phone_world.case_r not in path
        )
        await page.goto(path)
        await page.evaluate(OPEN_FOLDS)
        cells = await page.evaluate(CARD_CELLS)
        found = [] if cells else ["no table shown as cards"]
        found += [
            f"{cell['label']!r} shows as {cell['before']} ({cell['display']})"
            for cell in cells
            if not cell["label"] or cell["before"] != f'"{cell["label"]}"' or cell["display"] != "block"
        ]
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found.append(f"{overflow}px wider than the screen")
        if found:
            wrong[path] = found
        await screenshot(page, f"phone-nojs-{reader}-{screenshot_name(route)}")
        await page.close()
    assert wrong == {}, f"tables at 390 px without JavaScript: {wrong}"
