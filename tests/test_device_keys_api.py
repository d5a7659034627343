"""A party's devices over real HTTP: pairing a second device by its code, the ways a pairing is
refused (a wrong or expired code, a key.add another key signed), revoking, the last key kept,
and the API's own signature checks (sign-in, API tokens, a claim) taking any active key and
no revoked one.

The API alone (no Temporal behind it): none of this reaches a workflow. That a paired device's
steps are taken by the escrow and case machines is the workflows' own test.
"""

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

from client.businesses import give_demo_licence
from client.keys import PartyKey, nested
from client.party import Party, StepRefused
from db import pairings
from db.engine import make_engine
from db.models import KeyPairing
from domain.keys import fingerprint, key_id
from tests.kits.security_world import car_claim
from tests.kits.servers import api_alone
from web.session import SESSION_COOKIE


@pytest.fixture
async def http(tmp_path):
    async with api_alone(tmp_path) as client:
        yield client


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


async def open_pairing(owner: Party) -> dict:
    response = await owner.http.post("/parties/me/pairings", headers=owner.auth)
    assert response.status_code == 201, response.json()
    return response.json()


async def answer(http: httpx.AsyncClient, code: str, new_key: PartyKey, label: str = "phone") -> dict:
    """Do what the new device does: look the code up, sign its key.pair, answer the pairing."""
    invite = await http.post("/pairings/lookup", json={"code": code})
    assert invite.status_code == 200, invite.json()
    pairing = new_key.sign_pairing(invite.json()["party_id"], label)
    body = {"code": code, "possession": asdict(pairing)}
    answered = await http.post(f"/pairings/{invite.json()['pairing_id']}/key", json=body)
    assert answered.status_code == 200, answered.json()
    return {"invite": invite.json(), "pairing": pairing, "progress": answered.json()}


def stored(tmp_path, pairing_id: str, **changes) -> None:
    """Change a pairing as time would (its expiry)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'escrow.db'}")
    with Session(engine) as session:
        row = session.get(KeyPairing, pairing_id)
        assert row is not None
        for name, value in changes.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
    engine.dispose()


async def test_a_second_device_is_paired_by_its_code_and_then_signs_in_with_its_own_key(http):
    owner = await Party(http, "owner", "Two Phones").register()
    opened = await open_pairing(owner)
    assert opened["code"][4] == "-" and len(opened["code"]) == 9
    assert opened["url"].endswith(f"/pair#{opened['code']}")
    assert opened["qr_svg"].startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in opened["qr_svg"]

    phone = PartyKey.generate()
    # the code as a person may type it: lower case, spaces instead of the dash
    typed = opened["code"].lower().replace("-", " ")
    answered = await answer(http, typed, phone)
    assert answered["invite"] | {"expires_at": None} == {
        "pairing_id": opened["id"],
        "party_id": owner.id,
        "display_name": "Two Phones",
        "role": "owner",
        "expires_at": None,
    }
    assert answered["progress"]["status"] == "answered"
    assert answered["progress"]["fingerprint"] == fingerprint(phone.public_key_b64)

    # the first device sees the same key, with the key.pair its key.add must carry
    seen = (await http.get(f"/parties/me/pairings/{opened['id']}", headers=owner.auth)).json()
    assert seen["status"] == "answered"
    assert seen["new_key"] == {
        "public_key": phone.public_key_b64,
        "label": "phone",
        "fingerprint": fingerprint(phone.public_key_b64),
        "possession": nested(answered["pairing"]),
    }
    add = owner.key.sign_key_add(owner.id, answered["pairing"])
    confirmed = await http.post(
        f"/parties/me/pairings/{opened['id']}/confirmation", json=asdict(add), headers=owner.auth
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert (confirmed.json()["id"], confirmed.json()["via"]) == (key_id(phone.public_key_b64), "key.add")
    assert (await http.get(f"/pairings/{opened['id']}")).json()["status"] == "done"

    second = Party(http, "owner", "Two Phones", phone)
    second.id = owner.id
    await second.renew_token()  # a token asked for by the new key's signature
    assert await second.open_session()  # and a browser's sign-in
    devices = await second.devices()
    assert [(d["label"], d["via"], d["this_device"], d["revoked_at"]) for d in devices] == [
        ("first device", "registration", False, None),
        ("phone", "key.add", True, None),
    ]
    assert devices[1]["last_used_at"] is not None  # the sign-in used it
    assert devices[0]["last_used_at"] is not None  # the key.add used the first

    # a finished pairing's code opens nothing more
    assert refusal(await http.post("/pairings/lookup", json={"code": opened["code"]})) == (
        409,
        "pairing_used",
    )


async def test_the_python_client_pairs_a_device_and_revokes_a_key(http):
    owner = await Party(http, "owner", "Client Pairing").register()
    tablet = await owner.pair_device("tablet")
    assert tablet.id == owner.id and tablet.key.public_key_b64 != owner.key.public_key_b64
    assert [d["this_device"] for d in await tablet.devices()] == [False, True]
    revoked = await tablet.revoke_key(owner.key.public_key_b64)  # the lost first phone
    assert revoked["revoked_at"] is not None
    with pytest.raises(StepRefused) as refused:
        await owner.renew_token()
    assert (refused.value.status, refused.value.code) == (403, "bad_signature")


async def test_wrong_codes_are_refused_and_close_the_pairing_after_five(http):
    owner = await Party(http, "owner", "Guessed At").register()
    opened = await open_pairing(owner)
    for code in ("", "ABCD", "0000-0000", "AAAA-AAAA"):
        response = await http.post("/pairings/lookup", json={"code": code})
        assert refusal(response) in {(422, "wrong_pairing_code"), (422, "invalid_input")}, code

    phone = PartyKey.generate()
    possession = asdict(phone.sign_pairing(owner.id, "phone"))
    path = f"/pairings/{opened['id']}/key"
    for _ in range(pairings.MAX_WRONG_GUESSES):
        wrong = await http.post(path, json={"code": "AAAA-AAAA", "possession": possession})
        assert refusal(wrong) == (422, "wrong_pairing_code")
    right = await http.post(path, json={"code": opened["code"], "possession": possession})
    assert refusal(right) == (409, "pairing_closed")
    assert refusal(await http.post("/pairings/lookup", json={"code": opened["code"]})) == (
        409,
        "pairing_closed",
    )
    assert refusal(await http.get("/pairings/no-such-pairing")) == (404, "pairing_not_found")


async def test_an_expired_pairing_takes_no_answer_and_no_confirmation(http, tmp_path):
    owner = await Party(http, "owner", "Too Slow").register()
    opened = await open_pairing(owner)
    phone = PartyKey.generate()
    answered = await answer(http, opened["code"], phone)
    stored(tmp_path, opened["id"], expires_at=datetime.now(UTC) - timedelta(seconds=1))

    add = owner.key.sign_key_add(owner.id, answered["pairing"])
    path = f"/parties/me/pairings/{opened['id']}/confirmation"
    assert refusal(await http.post(path, json=asdict(add), headers=owner.auth)) == (409, "pairing_expired")
    assert refusal(await http.post("/pairings/lookup", json={"code": opened["code"]})) == (
        409,
        "pairing_expired",
    )
    assert len(await owner.devices()) == 1


async def test_only_a_key_of_the_party_adds_the_answered_key(http):
    owner = await Party(http, "owner", "Careful").register()
    other = await Party(http, "owner", "Someone Else").register()
    opened = await open_pairing(owner)
    phone = PartyKey.generate()
    answered = await answer(http, opened["code"], phone)
    path = f"/parties/me/pairings/{opened['id']}/confirmation"

    # a key.add with the party's id signed by a key it does not hold
    stranger = PartyKey.generate().sign_key_add(owner.id, answered["pairing"])
    assert refusal(await http.post(path, json=asdict(stranger), headers=owner.auth)) == (403, "bad_signature")
    # another party neither sees nor confirms this pairing
    theirs = other.key.sign_key_add(other.id, answered["pairing"])
    assert refusal(await http.post(path, json=asdict(theirs), headers=other.auth)) == (
        404,
        "pairing_not_found",
    )
    assert refusal(await http.get(f"/parties/me/pairings/{opened['id']}", headers=other.auth)) == (
        404,
        "pairing_not_found",
    )
    # the party's own key.add, but for a key the new device did not send
    swapped = owner.key.sign_key_add(owner.id, PartyKey.generate().sign_pairing(owner.id, "phone"))
    assert refusal(await http.post(path, json=asdict(swapped), headers=owner.auth)) == (
        422,
        "pairing_mismatch",
    )
    assert len(await owner.devices()) == 1
    add = owner.key.sign_key_add(owner.id, answered["pairing"])
    assert (await http.post(path, json=asdict(add), headers=owner.auth)).status_code == 200
    assert len(await owner.devices()) == 2

    # answering a pairing: a key.pair the new key did not sign, one for another party, a key held already
    second = await open_pairing(owner)
    invite = (await http.post("/pairings/lookup", json={"code": second["code"]})).json()
    fresh = PartyKey.generate()
    forged = PartyKey.generate().sign_step(
        action="key.pair",
        subject=owner.id,
        signer=owner.id,
        payload={"public_key": fresh.public_key_b64, "label": "x"},
    )
    for possession, expected in (
        (forged, (403, "no_possession")),
        (fresh.sign_pairing(other.id, "x"), (403, "wrong_subject")),
        (phone.sign_pairing(owner.id, "again"), (409, "public_key_taken")),
        (other.key.sign_pairing(owner.id, "theirs"), (409, "public_key_taken")),
    ):
        body = {"code": second["code"], "possession": asdict(possession)}
        response = await http.post(f"/pairings/{invite['pairing_id']}/key", json=body)
        assert refusal(response) == expected
    assert (await http.get(f"/pairings/{invite['pairing_id']}")).json()["status"] == "waiting"


async def test_a_revoked_key_signs_in_no_more_and_the_last_key_is_kept(http):
    owner = await Party(http, "owner", "Lost A Phone").register()
    assert refusal(
        await http.post(
            f"/parties/me/keys/{key_id(owner.key.public_key_b64)}/revocation",
            json=asdict(owner.key.sign_key_revoke(owner.id, owner.key.public_key_b64)),
            headers=owner.auth,
        )
    ) == (409, "last_key")
    phone = await owner.pair_device("phone")

    # the address names one key, the signed key.revoke another
    path = f"/parties/me/keys/{key_id(owner.key.public_key_b64)}/revocation"
    other = asdict(owner.key.sign_key_revoke(owner.id, phone.key.public_key_b64))
    assert refusal(await http.post(path, json=other, headers=owner.auth)) == (422, "key_mismatch")
    # a key.revoke dated an hour back would date the revocation back
    old = owner.key.sign_key_revoke(
        owner.id, owner.key.public_key_b64, datetime.now(UTC) - timedelta(hours=1)
    )
    assert refusal(await http.post(path, json=asdict(old), headers=owner.auth)) == (409, "stale_timestamp")

    session = await owner.open_session()  # the lost phone was signed in
    assert (await http.get("/parties/me", headers=owner.auth)).status_code == 200
    revoked = await phone.revoke_key(owner.key.public_key_b64)
    assert revoked["id"] == key_id(owner.key.public_key_b64) and revoked["revoked_at"] is not None
    # what the revoked key opened ends with it: its session and its API token
    assert (
        await http.get("/my/escrows", cookies={SESSION_COOKIE: session}, follow_redirects=False)
    ).status_code == 303
    assert refusal(await http.get("/parties/me", headers=owner.auth)) == (401, "token_revoked")
    assert (await http.get("/parties/me", headers=phone.auth)).status_code == 200
    # the revoked key: no sign-in, no API token, no further key event
    for action in ("session.open", "token.issue"):
        url = "/session" if action == "session.open" else "/parties/me/tokens"
        assert refusal(await http.post(url, json=asdict(owner.sign(action, owner.id, {})))) == (
            403,
            "bad_signature",
        )
    again = asdict(owner.key.sign_key_revoke(owner.id, phone.key.public_key_b64))
    phone_path = f"/parties/me/keys/{key_id(phone.key.public_key_b64)}/revocation"
    assert refusal(await http.post(phone_path, json=again, headers=phone.auth)) == (403, "bad_signature")
    # and the phone, now the last key, cannot revoke itself
    last = asdict(phone.key.sign_key_revoke(phone.id, phone.key.public_key_b64))
    assert refusal(await http.post(phone_path, json=last, headers=phone.auth)) == (409, "last_key")
    assert [d["revoked_at"] is None for d in await phone.devices()] == [False, True]


async def test_a_claim_is_checked_against_every_active_key_of_the_claimant(http):
    buyer = await Party(http, "buyer", "Claims From The Tablet").register()
    dealer = await give_demo_licence(Party(http, "dealer", "Sells Cars")).register()
    tablet = await buyer.pair_device("tablet")
    # signed by the second device: the signature passes, and the claim is read (wrong sides)
    used = [device["last_used_at"] for device in await tablet.devices()]
    claim = asdict(tablet.sign("claim.file", buyer.id, car_claim()))
    assert refusal(await http.post("/cases", json=claim, headers=buyer.auth)) == (422, "wrong_parties")
    assert [device["last_used_at"] for device in await tablet.devices()] == used  # refused: no change
    await tablet.revoke_key(buyer.key.public_key_b64)
    revoked = asdict(buyer.sign("claim.file", dealer.id, car_claim()))
    assert refusal(await http.post("/cases", json=revoked, headers=tablet.auth)) == (403, "bad_signature")
