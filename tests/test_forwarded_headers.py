"""Behind the HTTPS proxy: X-Forwarded-Proto and -For count only from the proxy's address.

From a trusted address, a sign-in forwarded as HTTPS gets a Secure session cookie and HSTS;
from any other address the same headers are ignored (the request is the plain HTTP it is).
"""

from dataclasses import asdict

import pytest

from client.party import Party
from tests.kits.servers import api_alone

FORWARDED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


async def sign_in_forwarded(tmp_path, trusted: str):
    async with api_alone(tmp_path, forwarded_allow_ips=trusted) as http:
        owner = await Party(http, "owner", "Forwarded Owner").register()
        sign_in = asdict(owner.sign("session.open", owner.id, {}))
        return await http.post("/session", json=sign_in, headers=FORWARDED_HTTPS)


async def test_https_forwarded_by_the_trusted_proxy_makes_the_cookie_secure(tmp_path):
    signed_in = await sign_in_forwarded(tmp_path, trusted="127.0.0.1")
    assert signed_in.status_code == 200
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("party_session=") and "secure" in cookie.lower()
    assert signed_in.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("trusted", ["192.0.2.1", "10.0.0.0/8"])
async def test_forwarded_headers_from_anyone_else_are_ignored(tmp_path, trusted):
    signed_in = await sign_in_forwarded(tmp_path, trusted=trusted)
    assert signed_in.status_code == 200
    assert "secure" not in signed_in.headers["set-cookie"].lower()
    assert "strict-transport-security" not in signed_in.headers
