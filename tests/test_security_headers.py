"""Every answer of the API, its pages and the sandbox bank carries the security headers:
a strict CSP that no page may be framed under, nosniff, no referrer, no caching of anything
personal, and HSTS only when the request came over HTTPS."""

import base64
import hashlib
import re

import httpx
import pytest

from api.main import NOT_GZIPPED, STATIC_DIR
from client.party import Party
from config.security_headers import PAGE_POLICY
from sandbox_bank.app import create_app as create_bank_app
from tests.bank.conftest import bank_settings
from tests.kits.servers import api_alone, serve


def assert_guarded(response: httpx.Response, policy: str = PAGE_POLICY) -> None:
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # plain HTTP, nobody forwarded HTTPS


@pytest.fixture
async def api(tmp_path):
    async with api_alone(tmp_path) as http:
        yield http


async def test_pages_json_and_errors_are_guarded_and_never_cached(api):
    owner = await Party(api, "owner", "Header Owner").register()
    cookie = {"Cookie": f"party_session={await owner.open_session()}"}
    answers = [
        await api.get("/"),
        await api.get("/signin"),
        await api.get("/my/escrows", headers=cookie),
        await api.get("/parties/me", headers=owner.auth),
        await api.get("/parties/me"),  # 401
        await api.get("/no/such/page"),  # 404
        await api.get("/openapi.json"),
    ]
    for answer in answers:
        assert_guarded(answer)
        assert answer.headers["cache-control"] == "no-store", answer.url
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 401, 404, 200]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
        assert directive in PAGE_POLICY


async def test_static_files_are_guarded_and_may_be_cached(api):
    script = await api.get("/static/signin.js")
    assert script.status_code == 200
    assert_guarded(script)
    assert "cache-control" not in script.headers


async def test_text_is_gzipped_for_a_phone_and_plain_for_a_client_that_asks_so(api):
    """Pages and scripts travel gzipped (about a quarter of their size) with every guard kept;
    evidence files are not compressed again (api/main.py NOT_GZIPPED)."""
    plain_bytes = (STATIC_DIR / "steps.js").read_bytes()
    for path in ("/static/steps.js", "/signin"):
        zipped = await api.get(path, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip", path
        assert int(zipped.headers["content-length"]) < len(zipped.content) / 2, path
        assert_guarded(zipped)
        plain = await api.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.status_code == 200
    script = await api.get("/static/steps.js", headers={"Accept-Encoding": "gzip"})
    assert script.content == plain_bytes  # unzipped by the client, byte for byte
    assert {"image/jpeg", "image/png", "video/*", "application/pdf"} <= set(NOT_GZIPPED)


def inline_script_hashes(html: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    }


@pytest.mark.parametrize(
    ("path", "assets"),
    [("/docs", ["swagger-ui-bundle.js", "swagger-ui.css"]), ("/redoc", ["redoc.standalone.js"])],
)
async def test_the_docs_load_only_their_own_files_and_inline_script(api, path, assets):
    """Nothing from another origin: the pages work on a closed network."""
    docs = await api.get(path)
    policy = docs.headers["content-security-policy"]
    assert docs.status_code == 200 and docs.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert "https:" not in policy and "https://" not in docs.text
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src
    for hashed in inline_script_hashes(docs.text):
        assert hashed in script_src
    assert len(inline_script_hashes(docs.text)) == (1 if path == "/docs" else 0)
    for name in assets:
        assert f'"/docs-assets/{name}"' in docs.text
        served = await api.get(f"/docs-assets/{name}")
        assert served.status_code == 200 and len(served.content) > 100_000
        assert_guarded(served)
        assert "cache-control" not in served.headers


async def test_the_sandbox_bank_is_guarded_too():
    # a database nobody runs: even the bank's 503 carries the headers
    settings = bank_settings("postgresql://postgres@127.0.0.1:1/nothing", "http://127.0.0.1:1/")
    async with (
        serve(create_bank_app(settings), settings=settings) as url,
        httpx.AsyncClient(base_url=url) as bank,
    ):
        health = await bank.get("/health")
    assert health.status_code == 503
    assert_guarded(health)
    assert health.headers["cache-control"] == "no-store"
