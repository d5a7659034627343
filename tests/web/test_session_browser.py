"""Signing in proves the key, and nothing the page's scripts can read opens a session.

In real chromium: a party registers and signs in by signing `session.open` with its
non-extractable key; the session token then lives only in an HttpOnly cookie (not in
`document.cookie`, not in IndexedDB, where an old stored token is dropped too); signing out
revokes it, so the old cookie value replayed opens neither a page nor the API.
"""

from playwright.async_api import expect

from tests.kits.driver import register
from web.session import SESSION_COOKIE

STORED = """async () => {
    const db = await new Promise((ok, no) => { const r = indexedDB.open('escrow-signing');
        r.onsuccess = () => ok(r.result); r.onerror = no; });
    const all = await new Promise(ok => { const r = db.transaction('identities')
        .objectStore('identities').getAll(); r.onsuccess = () => ok(r.result); });
    db.close();
    return all.map(record => ({fields: Object.keys(record).sort(), text: JSON.stringify(record)}));
}"""

PLANT_OLD_TOKEN = """async id => {
    const db = await new Promise(ok => { const r = indexedDB.open('escrow-signing');
        r.onsuccess = () => ok(r.result); });
    const store = () => db.transaction('identities', 'readwrite').objectStore('identities');
    const record = await new Promise(ok => { const r = store().get(id);
        r.onsuccess = () => ok(r.result); });
    await new Promise(ok => { const r = store().put({...record, token: 'an-old-api-token'});
        r.onsuccess = ok; });
    db.close();
}"""


async def test_sign_in_keeps_no_readable_token_and_sign_out_revokes_the_cookie(new_context):
    context = await new_context()
    page, party_id = await register(context, "owner", "会话业主")
    (cookie,) = [c for c in await context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    session_token = cookie["value"]

    assert SESSION_COOKIE not in await page.evaluate("() => document.cookie")
    await page.goto("/signin")
    stored = await page.evaluate(STORED)
    assert [record["fields"] for record in stored] == [
        ["createdAt", "displayName", "keyPair", "partyId", "publicKey", "role"]
    ]
    assert session_token not in stored[0]["text"]

    # a record kept by the pages before sign-in by signature loses its token when next read
    await page.evaluate(PLANT_OLD_TOKEN, party_id)
    assert "token" in (await page.evaluate(STORED))[0]["fields"]
    await page.reload()
    await expect(page.locator(f'.sign-in-as[data-party-id="{party_id}"]')).to_be_visible()  # listed, so read
    assert "token" not in (await page.evaluate(STORED))[0]["fields"]

    async with page.expect_navigation(url="**/signin"):
        await page.click("#sign-out")
    assert [c for c in await context.cookies() if c["name"] == SESSION_COOKIE] == []
    replayed = await new_context()
    await replayed.add_cookies([{**cookie, "value": session_token}])
    replay = await replayed.new_page()
    await replay.goto("/my/escrows")
    assert "/signin?next=/my/escrows" in replay.url
    api = await replayed.request.get("/parties/me")
    assert (api.status, (await api.json())["detail"]["code"]) == (401, "token_revoked")

    # the key stays on the device: signing in again signs a fresh envelope
    async with page.expect_navigation(url="**/my/escrows"):
        await page.click(f'.sign-in-as[data-party-id="{party_id}"]')
    (again,) = [c for c in await context.cookies() if c["name"] == SESSION_COOKIE]
    assert again["value"] != session_token
    await expect(page.locator("#my-party-id")).to_have_text(party_id)
