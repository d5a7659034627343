"""Debian's chromium driven by Playwright (async API: the stack's servers share the test's
event loop). Each party gets its own browser context: its own IndexedDB, keys and cookie."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlmodel import Session

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from client.escrow_session import eventually
from db.evidence import first_refs
from tests.kits.staff_kit import ENROLLED, retire_enrolled

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(autouse=True)
async def experts_leave_with_their_test(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Experts a test enrolled are deactivated when it ends, so they do not crowd later draws. Only
    a test on the stack can enrol one; its stack is fetched before the test runs, as pytest asks."""
    stack = request.getfixturevalue("stack") if "stack" in request.fixturenames else None
    yield
    if ENROLLED and stack is not None:
        await retire_enrolled(stack)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium fonts-wqy-zenhei")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def new_context(browser: Browser, stack) -> AsyncIterator:
    """Makes a fresh context (empty profile: no keys, no cookies) on a phone-sized screen."""
    contexts: list[BrowserContext] = []

    async def make(**options) -> BrowserContext:
        settings = {
            "base_url": str(stack.http.base_url).rstrip("/"),
            "viewport": PHONE,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            **options,
        }
        context = await browser.new_context(**settings)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Keeps what the page looked like; the whole page unless it is too tall to draw in one
    image in time (the API reference is tens of thousands of pixels)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def referenced(stack, subject_id: str, digests: list[str]) -> None:
    """Wait until the subject's trail names these files in the store's references: the projection
    records them after the step, and until then only a file's uploader may open it."""

    async def named() -> set[str]:
        with Session(stack.engine) as session:
            return set(first_refs(session=session, digests=digests, subject_ids=[subject_id]))

    await eventually(named, lambda found: found == set(digests), f"{subject_id} to name {digests}", 20)
