"""A step form's key: a warranty claim signed again under it (going Back or reloading signs it
with a new nonce and time) answers the first receipt and files no second claim.

Over real HTTP against the session's stack and its Temporal server.
"""

import uuid
from dataclasses import asdict

from client.party import Party
from domain.escrow import steps
from tests.kits.flow import EscrowFlow

TOTAL_FEN = 2_000_000


async def claim(flow: EscrowFlow, payload: dict, key: str, signer: Party | None = None):
    signer = signer or flow.owner
    signed = signer.sign(steps.WARRANTY_CLAIM.action, flow.escrow_id, payload)
    path = f"/escrows/{flow.escrow_id}{steps.WARRANTY_CLAIM.route(payload)}"
    return await flow.stack.http.post(path, json=asdict(signed), headers={"Idempotency-Key": key})


async def test_a_warranty_claim_signed_again_under_its_form_key_answers_the_first_receipt(stack):
    flow = await EscrowFlow(stack).register()
    await flow.in_warranty(total_fen=TOTAL_FEN)
    payload = {"description": "卫生间墙角返潮", "amount_fen": 20_000}
    key = f"form-{uuid.uuid4().hex}"

    first = await claim(flow, payload, key)
    again = await claim(flow, payload, key)

    assert first.status_code == 200, first.json()
    assert (again.status_code, again.json()) == (200, first.json())
    assert [c.description for c in (await flow.state()).claims] == ["卫生间墙角返潮"]
    # Another claim under that key is refused, and nothing is filed.
    reused = await claim(flow, payload | {"amount_fen": 30_000}, key)
    assert (reused.status_code, reused.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    # A step not signed by its signer is never answered from the signer's record: the workflow
    # refuses it as it would without a key.
    forged = asdict(flow.contractor.sign(steps.WARRANTY_CLAIM.action, flow.escrow_id, payload))
    forged["envelope"]["signer"] = flow.owner.id
    path = f"/escrows/{flow.escrow_id}{steps.WARRANTY_CLAIM.route(payload)}"
    stranger = await stack.http.post(path, json=forged, headers={"Idempotency-Key": key})
    assert stranger.status_code == 403 and "entry_hash" not in stranger.json()
    assert len((await flow.state()).claims) == 1
    # The same claim under a fresh key (the page drawn again once the first was filed) is a second one.
    other = await claim(flow, payload, f"form-{uuid.uuid4().hex}")
    assert other.status_code == 200 and other.json()["entry_hash"] != first.json()["entry_hash"]
    assert len((await flow.state()).claims) == 2
