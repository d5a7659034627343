"""Who may see which page: the page session is the party's token in an HttpOnly cookie,
and an escrow's pages open only to its parties (and the council), as its API does."""

import httpx

from client.party import Party
from tests.flow import EscrowFlow
from web.session import SESSION_COOKIE


async def test_page_sessions_and_escrow_pages_open_only_to_the_escrows_parties(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    outsider = await Party(stack.http, "owner", "someone else").register()
    base = str(stack.http.base_url)

    async with httpx.AsyncClient(base_url=base) as stranger:
        to_sign_in = await stranger.get(f"/my/escrows/{flow.escrow_id}")
        assert (to_sign_in.status_code, to_sign_in.headers["location"]) == (
            303,
            f"/signin?next=/my/escrows/{flow.escrow_id}",
        )
        refused = await stranger.post("/session", json={"token": "not-a-token-of-anyone"})
        assert (refused.status_code, refused.json()["detail"]["code"]) == (401, "bad_token")
        assert SESSION_COOKIE not in refused.cookies
        assert (await stranger.get(f"/my/escrows/{flow.escrow_id}/version")).status_code == 303

    async with httpx.AsyncClient(base_url=base) as browser:
        started = await browser.post("/session", json={"token": outsider.token})
        cookie = started.headers["set-cookie"]
        assert started.json()["id"] == outsider.id
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = await browser.get(f"/my/escrows/{flow.escrow_id}")
        assert page.status_code == 403 and "Flat 3-2-501" not in page.text
        version = await browser.get(f"/my/escrows/{flow.escrow_id}/version")
        assert (version.status_code, version.json()["detail"]["code"]) == (403, "not_a_participant")
        assert (await browser.get("/my/escrows/ESC-1999-99999")).status_code == 404

        await browser.post("/session", json={"token": flow.contractor.token})
        page = await browser.get(f"/my/escrows/{flow.escrow_id}")
        assert page.status_code == 200 and "Flat 3-2-501" in page.text
        assert (await browser.get(f"/my/escrows/{flow.escrow_id}/version")).json()["version"] >= 0

        await browser.delete("/session")
        assert (await browser.get(f"/my/escrows/{flow.escrow_id}")).status_code == 303
