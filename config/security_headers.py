"""Security headers on every response of the API (pages included) and of the sandbox bank.

- Content-Security-Policy: scripts, styles, images and fetches from our own origin only, no
  inline script or style (the templates have none; tests/web/test_no_inline_code.py keeps it
  so), no plugins, no <base>, forms post only to us, and no other page may frame ours
  (`frame-ancestors 'none'`, with X-Frame-Options DENY for older browsers): a page framed
  invisibly could lead a victim's clicks to sign a step.
- `/docs` and `/redoc` (Swagger UI and ReDoc, served from /docs-assets, api/routes/docs.py) get
  a policy of their own (DOCS_POLICY): scripts from our origin plus the page's own inline script
  pinned by its hash, inline styles (both tools set style attributes as they draw), fetches to
  us only, workers from blob: (ReDoc's search). They share our origin with the keys kept in
  IndexedDB, so nothing looser than that.
- X-Content-Type-Options nosniff, Referrer-Policy no-referrer (page addresses carry escrow
  and case ids), HSTS only on a request that came over HTTPS (the scheme uvicorn saw,
  or the one a trusted proxy forwarded: ESCROW_FORWARDED_ALLOW_IPS).
- Cache-Control no-store on everything but /static: pages and JSON are personal or change
  with every step; a response that chose its own Cache-Control keeps it.
"""

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
HSTS = "max-age=31536000"
UNCACHED_EXCEPT = ("/static/", "/docs-assets/")
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _fixed_headers(scope: Scope, headers: MutableHeaders) -> None:
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if scope["scheme"] == "https":
        headers["Strict-Transport-Security"] = HSTS
    if "cache-control" not in headers and not scope["path"].startswith(UNCACHED_EXCEPT):
        headers["Cache-Control"] = "no-store"


def docs_policy(body: bytes) -> str:
    """The docs policy allowing exactly the inline scripts of this page (FastAPI's own HTML,
    built from the app's constants, never from the request)."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(body)
    )
    return DOCS_POLICY.format(hashes=hashes or "'none'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = _docs_sender(scope, send) if scope["path"] in DOCS_PATHS else _page_sender(scope, send)
        await self.app(scope, receive, send)


def _page_sender(scope: Scope, send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers["Content-Security-Policy"] = PAGE_POLICY
            _fixed_headers(scope, headers)
        await send(message)

    return send_with_headers


def _docs_sender(scope: Scope, send: Send) -> Send:
    """A docs page is small: hold it whole, so its policy can name its inline scripts' hashes."""
    start: Message = {}
    body = bytearray()

    async def hold(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                headers = MutableHeaders(scope=start)
                headers["Content-Security-Policy"] = docs_policy(bytes(body))
                _fixed_headers(scope, headers)
                await send(start)
                await send({"type": "http.response.body", "body": bytes(body)})
        else:
            await send(message)

    return hold
