"""A party's tokens over real HTTP: they expire, they are revoked, each party lists and
revokes only its own, and a new API token is asked for by signature, never by a token."""

from dataclasses import asdict
from datetime import datetime, timedelta

import httpx
from sqlmodel import Session, select

from client.keys import PartyKey
from client.party import Party
from db import tokens
from db.models import PartyToken, utcnow
from tests.kits.businesses import verified_business
from web.session import SESSION_COOKIE


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


def expire(stack, secret: str) -> None:
    """Move a token's expiry into the past, as time would."""
    with Session(stack.engine) as session:
        row = session.exec(
            select(PartyToken).where(PartyToken.token_hash == tokens.hash_secret(secret))
        ).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()


async def test_expired_and_revoked_tokens_are_refused_by_the_api_and_the_pages(stack):
    party = await Party(stack.http, "owner", "Expiring").register()
    session_token = await party.open_session()
    page = {"Cookie": f"{SESSION_COOKIE}={session_token}"}
    assert (await stack.http.get("/parties/me", headers=party.auth)).status_code == 200
    assert (await stack.http.get("/my/escrows", headers=page)).status_code == 200

    expire(stack, party.token)
    expire(stack, session_token)

    assert code(await stack.http.get("/parties/me", headers=party.auth)) == (401, "token_expired")
    assert code(await stack.http.get("/escrows", headers=page)) == (401, "token_expired")
    refused = await stack.http.get("/my/escrows", headers=page, follow_redirects=False)
    assert (refused.status_code, refused.headers["location"]) == (303, "/signin?next=/my/escrows")

    await party.renew_token()  # an expired token is replaced by signing, not by the old token
    session_token = await party.open_session()
    page = {"Cookie": f"{SESSION_COOKIE}={session_token}"}
    listed = (await stack.http.get("/parties/me/tokens", headers=party.auth)).json()
    assert [(t["kind"], t["current"]) for t in listed] == [("session", False), ("api", True)]
    for token in listed:
        revoked = await stack.http.post(f"/parties/me/tokens/{token['id']}/revocation", headers=party.auth)
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None

    assert code(await stack.http.get("/parties/me", headers=party.auth)) == (401, "token_revoked")
    assert code(await stack.http.get("/escrows", headers=page)) == (401, "token_revoked")
    assert (await stack.http.get("/my/escrows", headers=page, follow_redirects=False)).status_code == 303


async def test_a_party_lists_and_revokes_only_its_own_tokens_and_never_sees_a_secret(stack):
    alice = await Party(stack.http, "owner", "Alice").register()
    bob = await verified_business(stack.http, "contractor", "Bob")
    first = alice.token
    await alice.renew_token()
    await alice.open_session()

    listed = await stack.http.get("/parties/me/tokens", headers=alice.auth)
    assert listed.status_code == 200
    assert [(t["kind"], t["current"]) for t in listed.json()] == [
        ("session", False),
        ("api", True),
        ("api", False),
    ]
    for secret in (first, alice.token):
        assert secret not in listed.text and tokens.hash_secret(secret) not in listed.text
    assert set(listed.json()[0]) == {"id", "kind", "created_at", "expires_at", "revoked_at", "current"}
    alices = {t["id"] for t in listed.json()}
    bobs = {t["id"] for t in (await stack.http.get("/parties/me/tokens", headers=bob.auth)).json()}
    assert len(bobs) == 1 and not alices & bobs

    for token_id in alices:
        refused = await stack.http.post(f"/parties/me/tokens/{token_id}/revocation", headers=bob.auth)
        assert code(refused) == (404, "token_not_found")
    assert code(await stack.http.post("/parties/me/tokens/TOK-NOSUCHTOKEN/revocation", headers=bob.auth)) == (
        404,
        "token_not_found",
    )
    assert {
        t["id"] for t in (await stack.http.get("/parties/me/tokens", headers=alice.auth)).json()
    } == alices
    assert (
        await stack.http.get("/parties/me", headers={"Authorization": f"Bearer {first}"})
    ).status_code == 200


async def test_a_new_api_token_takes_a_fresh_signature_by_the_partys_own_key(stack):
    party = await Party(stack.http, "owner", "Renews").register()
    signed = asdict(party.sign("token.issue", party.id, {}))

    issued = await stack.http.post("/parties/me/tokens", json=signed)
    assert issued.status_code == 201
    body = issued.json()
    assert body["kind"] == "api" and body["token"] != party.token
    lifetime = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["created_at"])
    assert lifetime == timedelta(days=stack.settings.api_token_days)
    mine = await stack.http.get("/parties/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert mine.json()["id"] == party.id

    assert code(await stack.http.post("/parties/me/tokens", json=signed)) == (409, "nonce_reused")
    forged = PartyKey.generate().sign_step(
        action="token.issue", subject=party.id, signer=party.id, payload={}
    )
    # the party's own valid token does not stand in for its key
    refused = await stack.http.post("/parties/me/tokens", json=asdict(forged), headers=party.auth)
    assert code(refused) == (403, "bad_signature")


async def test_a_cookie_authenticated_change_needs_the_pages_header(stack):
    """SameSite=Strict keeps other sites' requests cookie-less; the header keeps out other origins."""
    council = await Party(stack.http, "council", "Header council").register(
        enrolment_secret=stack.settings.council_enrolment_secret.get_secret_value()
    )
    page = {"Cookie": f"{SESSION_COOKIE}={await council.open_session()}"}
    body = {"name": "No Header", "domain": "renovation", "specialties": ["waterproofing"]}

    refused = await stack.http.post("/experts", json=body, headers=page)
    assert code(refused) == (403, "session_header_required")
    probe = await stack.http.post("/experts", json={}, headers=page | {"X-Requested-With": "fetch"})
    assert code(probe) == (422, "invalid_input")  # past the session: refused for its body only
