"""After sign-in the browser goes back only to a page of ours: `next` is resolved as the
browser would resolve it, never checked as a string (`/\\evil.example` and `/<TAB>/evil.example`
both start with one slash and both leave the site)."""

import pytest

from tests.kits.servers import api_alone
from web.local_path import local_path

OFF_SITE = [
    "/\\evil.example/x",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "//evil.example",
    "/./\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "my/escrows",
    "",
]


@pytest.mark.parametrize("candidate", OFF_SITE)
def test_what_a_browser_would_read_as_another_site_is_no_local_path(candidate):
    assert local_path(candidate) is None


@pytest.mark.parametrize(
    ("candidate", "path"),
    [
        ("/my/escrows/ESC-2026-00001", "/my/escrows/ESC-2026-00001"),
        ("/council?phase=panel&domain=car#top", "/council?phase=panel&domain=car#top"),
        ("/a/../b", "/b"),
        ('/x y"<', "/x%20y%22%3C"),
        ("/%2F/evil.example", "/%2F/evil.example"),  # an encoded slash stays a path segment
    ],
)
def test_a_local_path_comes_back_normalised_and_encoded(candidate, path):
    assert local_path(candidate) == path


@pytest.fixture
async def pages(tmp_path):
    async with api_alone(tmp_path) as http:
        yield http


@pytest.mark.parametrize("raw", ["/\\evil.example/x", "/%09/evil.example", "//evil.example"])
async def test_the_sign_in_page_drops_an_off_site_next(pages, raw):
    page = await pages.get(f"/signin?next={raw}")
    assert page.status_code == 200
    assert 'data-next=""' in page.text and "evil.example" not in page.text


async def test_the_sign_in_page_keeps_a_local_next(pages):
    page = await pages.get("/signin", params={"next": "/my/escrows?sort=new"})
    assert 'data-next="/my/escrows?sort=new"' in page.text


async def test_a_page_needing_sign_in_sends_its_own_path_and_query_along(pages):
    sent = await pages.get("/council?phase=panel&domain=car")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/signin?next=/council%3Fphase%3Dpanel%26domain%3Dcar"
    back = (await pages.get(sent.headers["location"])).text
    assert 'data-next="/council?phase=panel&amp;domain=car"' in back


async def test_the_language_switch_stays_on_our_origin(pages):
    for raw in ("/\\evil.example/x", "/%09/evil.example"):
        switched = await pages.get(f"/lang/en?next={raw}")
        assert (switched.status_code, switched.headers["location"]) == (303, "/")
