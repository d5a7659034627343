"""How every HTTP server of ours (API, sandbox bank, the test harness) is configured.

uvicorn closes an idle keep-alive connection after 5 s, the same moment httpx's pool
stops reusing one. A client that picks the connection up just before its expiry sends
its request into a socket the server is closing and gets a reset (`httpx.ReadError`)
with no answer, which for a signed step means "outcome unknown". Keeping connections
open well past the client's expiry leaves that window closed: the client always lets
go first.

Behind the HTTPS proxy, the client's address and the scheme it used arrive in
X-Forwarded-For and X-Forwarded-Proto. uvicorn believes them only from the addresses in
`settings.forwarded_allow_ips` (the proxy); from anyone else they are ignored, so nobody can
claim another address (rate limits) or HTTPS (the Secure cookie, HSTS) by sending a header.
"""

from typing import Any

import uvicorn

from config.settings import Settings

KEEP_ALIVE_SECONDS = 30


def server_config(app: Any, settings: Settings | None = None, **options: Any) -> uvicorn.Config:
    trusted = (settings or Settings.model_construct()).forwarded_allow_ips
    return uvicorn.Config(
        app, timeout_keep_alive=KEEP_ALIVE_SECONDS, proxy_headers=True, forwarded_allow_ips=trusted, **options
    )
