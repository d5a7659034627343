"""How every HTTP server of ours (API, sandbox bank, the test harness) is configured.

uvicorn closes an idle keep-alive connection after 5 s, the same moment httpx's pool
stops reusing one. A client that picks the connection up just before its expiry sends
its request into a socket the server is closing and gets a reset (`httpx.ReadError`)
with no answer, which for a signed step means "outcome unknown". Keeping connections
open well past the client's expiry leaves that window closed: the client always lets
go first.
"""

from typing import Any

import uvicorn

KEEP_ALIVE_SECONDS = 30


def server_config(app: Any, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(app, timeout_keep_alive=KEEP_ALIVE_SECONDS, **options)
