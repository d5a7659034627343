"""The browser's signing library against the Python protocol it must match byte for byte."""

import base64
import hashlib

import pytest
from sqlmodel import Session

from db import crud
from domain.canonical import canonical_json
from domain.steps.signing import SignedStep, signature_is_valid

TRICKY_VALUES = [
    {"b": 1, "a": [True, False, None], "c": {"z": -7, "y": 9_007_199_254_740_991}},
    {"业主": "李伟", "装修公司": "桂林家装", "阶段": [{"名称": "水电改造", "金额_fen": 3_000_000}]},
    {"\uffff": 1, "😀": 2, "é": 3, "z": 4, "Z": 5, "": 6},
    {"quote": 'say "hi" \\ back', "controls": "\n\t\r\b\f\u0001\u001f\u007f", "seps": "\u2028\u2029"},
    {"nested": {"deeper": {"deepest": [[], {}, [{}], "ünïcödé"]}}},
    [],
    "just text: 卫生间防水",
    0,
]


@pytest.fixture
async def page(new_context):
    context = await new_context()
    page = await context.new_page()
    await page.goto("/signin")
    await page.wait_for_function("() => window.Signing !== undefined")
    return page


@pytest.mark.parametrize("value", TRICKY_VALUES)
async def test_canonical_json_is_byte_identical_to_python(page, value):
    in_browser = await page.evaluate("value => Signing.canonicalJson(value)", value)
    assert in_browser.encode("utf-8") == canonical_json(value)


@pytest.mark.parametrize("refused", ["1.5", "NaN", "2 ** 60", "({a: () => 1})", "'\\ud800'"])
async def test_canonical_json_refuses_what_python_refuses(page, refused):
    outcome = await page.evaluate(
        f"() => {{ try {{ Signing.canonicalJson({refused}); return 'accepted'; }}"
        " catch (error) { return error.name; } }"
    )
    assert outcome == "TypeError"


async def test_content_hash_matches_python(page):
    value = TRICKY_VALUES[1]
    expected = hashlib.sha256(canonical_json(value)).hexdigest()
    assert await page.evaluate("v => Signing.contentHash(v)", value) == expected


async def test_a_browser_signature_verifies_in_python_and_the_key_stays_inside(page, stack):
    identity = await page.evaluate("() => Signing.register({role: 'owner', displayName: '李伟'})")
    with Session(stack.engine) as session:
        registered = crud.get_party(session=session, party_id=identity["partyId"])
    assert registered is not None and registered.public_key == identity["publicKey"]
    assert len(base64.b64decode(identity["publicKey"])) == 32

    payload = {"stage": 2, "amount_fen": 1_234_567, "note": "厨房墙面空鼓已返工"}
    signed = await page.evaluate(
        "([id, payload]) => Signing.sign(id, {action: 'stage.accept', subject: 'ESC-2026-00001', payload})",
        [identity["partyId"], payload],
    )
    assert len(base64.b64decode(signed["signature"])) == 64
    assert signed["envelope"]["signer"] == identity["partyId"]
    step = SignedStep(envelope=signed["envelope"], signature=signed["signature"])
    assert signature_is_valid(registered.public_key, step)
    tampered = SignedStep(
        envelope={**signed["envelope"], "payload": {**payload, "amount_fen": 1_234_568}},
        signature=signed["signature"],
    )
    assert not signature_is_valid(registered.public_key, tampered)

    private_key = await page.evaluate(
        """async id => {
            const db = await new Promise((ok, no) => {
                const r = indexedDB.open('escrow-signing');
                r.onsuccess = () => ok(r.result); r.onerror = no; });
            const stored = await new Promise(ok => {
                const r = db.transaction('identities').objectStore('identities').get(id);
                r.onsuccess = () => ok(r.result); });
            let exported = 'refused';
            try { await crypto.subtle.exportKey('pkcs8', stored.keyPair.privateKey); exported = 'exported'; }
            catch (error) { exported = 'refused'; }
            return {extractable: stored.keyPair.privateKey.extractable, exported};
        }""",
        identity["partyId"],
    )
    assert private_key == {"extractable": False, "exported": "refused"}
