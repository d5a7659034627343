"""Who may see which page: a page session is opened by signing with the party's key and held
as a session token (never the API token) in an HttpOnly cookie; sign-out revokes it; and an
escrow's pages open only to its parties (and the council), as its API does."""

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import httpx

from client.keys import PartyKey
from client.party import Party
from tests.kits.flow import EscrowFlow
from web.session import SESSION_COOKIE

CHANGE = {"X-Requested-With": "fetch"}  # what the pages' scripts send with a cookie-authenticated change


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


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
        forged = PartyKey.generate().sign_step(
            action="session.open", subject=outsider.id, signer=outsider.id, payload={}
        )
        refused = await stranger.post("/session", json=asdict(forged))
        assert code(refused) == (403, "bad_signature")
        assert SESSION_COOKIE not in refused.cookies
        stranger.cookies.set(SESSION_COOKIE, outsider.token)  # an API token is no page session
        assert (await stranger.get(f"/my/escrows/{flow.escrow_id}/version")).status_code == 303
        assert (await stranger.get("/my/escrows")).status_code == 303

    async with httpx.AsyncClient(base_url=base) as browser:
        started = await browser.post("/session", json=asdict(outsider.sign("session.open", outsider.id, {})))
        cookie = started.headers["set-cookie"]
        assert started.json()["id"] == outsider.id
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
        assert browser.cookies[SESSION_COOKIE] != outsider.token
        page = await browser.get(f"/my/escrows/{flow.escrow_id}")
        assert page.status_code == 403 and "Flat 3-2-501" not in page.text
        version = await browser.get(f"/my/escrows/{flow.escrow_id}/version")
        assert code(version) == (403, "not_a_participant")
        assert (await browser.get("/my/escrows/ESC-1999-99999")).status_code == 404

        await browser.post(
            "/session", json=asdict(flow.contractor.sign("session.open", flow.contractor.id, {}))
        )
        page = await browser.get(f"/my/escrows/{flow.escrow_id}")
        assert page.status_code == 200 and "Flat 3-2-501" in page.text
        assert (await browser.get(f"/my/escrows/{flow.escrow_id}/version")).json()["version"] >= 0


async def test_signing_in_takes_a_fresh_signature_once(stack):
    party = await Party(stack.http, "owner", "Signs in").register()
    base = str(stack.http.base_url)
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    refusals = [
        (party.sign("session.open", party.id, {}, two_hours_ago), (409, "stale_timestamp")),
        (party.sign("token.issue", party.id, {}), (422, "action_mismatch")),
        (party.sign("session.open", "P-SOMEONEELSE", {}), (422, "bad_envelope")),
        (party.sign("session.open", party.id, {"role": "council"}), (422, "unknown_fields")),
    ]
    async with httpx.AsyncClient(base_url=base) as browser:
        for signed, expected in refusals:
            refused = await browser.post("/session", json=asdict(signed))
            assert code(refused) == expected, signed.envelope
            assert SESSION_COOKIE not in browser.cookies
        once = asdict(party.sign("session.open", party.id, {}))
        assert (await browser.post("/session", json=once)).status_code == 200
    async with httpx.AsyncClient(base_url=base) as replayer:
        assert code(await replayer.post("/session", json=once)) == (409, "nonce_reused")
        assert SESSION_COOKIE not in replayer.cookies


async def test_sign_out_revokes_the_session_so_its_cookie_opens_nothing_again(stack):
    party = await Party(stack.http, "owner", "Signs out").register()
    base = str(stack.http.base_url)
    async with httpx.AsyncClient(base_url=base) as browser:
        await browser.post("/session", json=asdict(party.sign("session.open", party.id, {})))
        old = browser.cookies[SESSION_COOKIE]
        assert (await browser.get("/my/escrows")).status_code == 200
        assert (await browser.get("/parties/me")).json()["id"] == party.id  # the API takes the cookie too

        assert code(await browser.delete("/session")) == (403, "session_header_required")
        assert (await browser.delete("/session", headers=CHANGE)).status_code == 204
        assert SESSION_COOKIE not in browser.cookies

    async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: old}) as replayed:
        assert (await replayed.get("/my/escrows")).status_code == 303
        assert code(await replayed.get("/parties/me")) == (401, "token_revoked")
    assert code(await stack.http.get("/parties/me", headers={"Authorization": f"Bearer {old}"})) == (
        401,
        "bad_token",
    )
    assert (await stack.http.get("/parties/me", headers=party.auth)).status_code == 200  # programs go on
