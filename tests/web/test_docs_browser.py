"""/docs and /redoc draw the API in chromium with every request kept to our own origin: they
work on a closed network, where the CDN they used to load from is out of reach."""

from urllib.parse import urlsplit

import pytest

from tests.web.conftest import screenshot


@pytest.mark.parametrize(("path", "drawn"), [("/docs", ".opblock-tag"), ("/redoc", "[data-section-id]")])
async def test_the_api_docs_draw_from_our_own_files(new_context, stack, path, drawn):
    context = await new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    origin = urlsplit(str(stack.http.base_url)).netloc
    elsewhere: list[
        str
    ] = []  # answered from another origin (ReDoc asks for its maker's logo: the policy stops it)
    page.on("response", lambda r: None if urlsplit(r.url).netloc in (origin, "") else elsewhere.append(r.url))
    await page.goto(path)
    await page.locator(drawn).first.wait_for()
    assert await page.locator(drawn).count() > 5  # the tags (Swagger UI) or sections (ReDoc) are drawn
    assert elsewhere == []
    await screenshot(page, f"api{path.replace('/', '-')}", full_page=False)
