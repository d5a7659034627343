"""Bad input gets a clear 4xx with a machine-readable code, and changes nothing."""

import base64
import copy
import hashlib
import hmac
import json
from dataclasses import asdict
from datetime import timedelta

import httpx
import pytest

from api.main import create_app
from client.escrow_session import eventually
from client.party import Party, StepRefused
from tests.kits.businesses import verified_business
from tests.kits.flow import EscrowFlow
from tests.kits.servers import serve


@pytest.fixture
async def funded(stack) -> EscrowFlow:
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    await flow.sign_contract()
    await flow.deposit(1_000_000)
    return flow


async def accepted_updates(flow: EscrowFlow) -> int:
    """Steps that entered history. Not all events: the deposit's projection may still be completing."""
    return len(
        [
            event
            async for event in flow.handle.fetch_history_events()
            if event.HasField("workflow_execution_update_accepted_event_attributes")
        ]
    )


async def post_step(flow: EscrowFlow, path: str, signed) -> tuple[int, dict]:
    response = await flow.stack.http.post(f"/escrows/{flow.escrow_id}{path}", json=asdict(signed))
    return response.status_code, response.json()


async def test_refused_steps_answer_with_codes_and_leave_no_trace(funded: EscrowFlow, stack, record_history):
    flow = funded
    before_state = await flow.state()
    before_updates = await accepted_updates(flow)
    request = {"stage": 1, "evidence": [], "note": "ready"}

    tampered = flow.contractor.sign("inspection.request", flow.escrow_id, request, await flow.now())
    tampered.envelope["payload"]["note"] = "changed after signing"
    out_of_turn = flow.owner.sign(
        "stage.accept",
        flow.escrow_id,
        {"stage": 1, "amount_fen": 300_000, "report_hash": "x"},
        await flow.now(),
    )
    wrong_role = flow.owner.sign("inspection.request", flow.escrow_id, request, await flow.now())
    stranger = await verified_business(stack.http, "contractor", "Someone Else Co.")
    foreign = stranger.sign("inspection.request", flow.escrow_id, request, await flow.now())
    bad_base64 = flow.contractor.sign("inspection.request", flow.escrow_id, request, await flow.now())
    bad_base64.signature = "not base64!"
    extra_field = flow.contractor.sign(
        "inspection.request", flow.escrow_id, {**request, "bonus": 1}, await flow.now()
    )
    cases = [
        ("/stages/1/inspection-requests", tampered, 403, "bad_signature"),
        ("/stages/1/inspection-requests", bad_base64, 403, "bad_signature"),
        ("/stages/1/inspection-requests", wrong_role, 403, "wrong_role"),
        ("/stages/1/inspection-requests", foreign, 403, "not_a_party"),
        ("/stages/1/acceptance", out_of_turn, 409, "wrong_stage_state"),
        ("/stages/1/inspection-requests", extra_field, 422, "unknown_fields"),
    ]
    for path, signed, status, code in cases:
        got_status, body = await post_step(flow, path, signed)
        assert (got_status, body["detail"]["code"]) == (status, code), body

    assert await accepted_updates(flow) == before_updates
    assert await flow.state() == before_state
    await record_history(flow.handle, "escrow_refused_steps")


async def test_replayed_and_stale_steps_are_refused(funded: EscrowFlow):
    flow = funded
    signed = flow.contractor.sign(
        "inspection.request", flow.escrow_id, {"stage": 1, "evidence": []}, await flow.now()
    )
    assert (await post_step(flow, "/stages/1/inspection-requests", signed))[0] == 200
    status, body = await post_step(flow, "/stages/1/inspection-requests", signed)
    assert (status, body["detail"]["code"]) == (409, "nonce_reused")

    stale = flow.inspector.sign(
        "inspection.report",
        flow.escrow_id,
        {"stage": 1, "round": 1, "result": "pass", "report_hash": "r"},
        await flow.now() - timedelta(hours=2),
    )
    status, body = await post_step(flow, "/stages/1/inspection-reports", stale)
    assert (status, body["detail"]["code"]) == (409, "stale_timestamp")


async def test_route_and_shape_errors(funded: EscrowFlow, stack):
    flow = funded
    http = stack.http
    signed = flow.contractor.sign("inspection.request", flow.escrow_id, {"stage": 1}, await flow.now())

    response = await http.post(f"/escrows/{flow.escrow_id}/stages/2/inspection-requests", json=asdict(signed))
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "path_mismatch")
    response = await http.post(f"/escrows/{flow.escrow_id}/disputes", json=asdict(signed))
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "action_mismatch")
    response = await http.post("/escrows/ESC-1999-99999/stages/1/inspection-requests", json=asdict(signed))
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "subject_mismatch")

    unknown = copy.deepcopy(signed)
    unknown.envelope["subject"] = "ESC-1999-99999"
    response = await http.post("/escrows/ESC-1999-99999/stages/1/inspection-requests", json=asdict(unknown))
    assert (response.status_code, response.json()["detail"]["code"]) == (404, "escrow_not_found")

    for body in ({}, {"envelope": [], "signature": "x"}, {"envelope": {}, "signature": ""}, "nonsense"):
        response = await http.post(f"/escrows/{flow.escrow_id}/stages/1/inspection-requests", json=body)
        assert response.status_code == 422 and response.json()["detail"]["code"] == "invalid_input"

    float_amount = copy.deepcopy(signed)
    float_amount.envelope["payload"]["stage"] = 1.0
    response = await http.post(
        f"/escrows/{flow.escrow_id}/stages/1/inspection-requests", json=asdict(float_amount)
    )
    assert response.status_code == 422

    bad_envelope = copy.deepcopy(signed)
    del bad_envelope.envelope["nonce"]
    response = await http.post(
        f"/escrows/{flow.escrow_id}/stages/1/inspection-requests", json=asdict(bad_envelope)
    )
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "bad_envelope")


async def test_reading_needs_a_participant_token(funded: EscrowFlow, stack):
    flow = funded
    http = stack.http
    assert (await http.get(f"/escrows/{flow.escrow_id}")).status_code == 401
    bad = await http.get(f"/escrows/{flow.escrow_id}", headers={"Authorization": "Bearer nope"})
    assert (bad.status_code, bad.json()["detail"]["code"]) == (401, "bad_token")

    outsider = await verified_business(http, "contractor", "Another Renovation Co.")
    for path in (f"/escrows/{flow.escrow_id}", f"/escrows/{flow.escrow_id}/audit"):
        response = await http.get(path, headers=outsider.auth)
        assert (response.status_code, response.json()["detail"]["code"]) == (403, "not_a_participant")
    listing = await http.get("/escrows", headers=outsider.auth)
    assert listing.json() == []
    with pytest.raises(StepRefused) as refused:
        await outsider.escrow("ESC-1999-99999")
    assert refused.value.status == 404

    assert (await flow.council.escrow(flow.escrow_id)).escrow_id == flow.escrow_id


async def test_parties_see_their_escrows_in_the_read_model(funded: EscrowFlow, stack):
    """The read model follows the workflow's projection activity, so it is read until the deposit shows;
    each row says whether the escrow waits for the reader."""
    flow = funded
    for party in (flow.owner, flow.contractor, flow.inspector):

        async def listing(party=party) -> list[dict]:
            return (await stack.http.get("/escrows", headers=party.auth)).json()

        rows = await eventually(listing, lambda rows: rows and rows[0]["held_fen"], "the projection", 10)
        assert [row["escrow_id"] for row in rows] == [flow.escrow_id]
        assert rows[0]["held_fen"] == 1_000_000 and rows[0]["title"] == "Flat 3-2-501 full renovation"
        # funded, the escrow waits for the contractor's inspection request (its open actions)
        assert rows[0]["waiting_for_you"] is (party is flow.contractor)


async def test_registration_rules(stack):
    http = stack.http
    council = Party(http, "council", "Self-appointed council")
    with pytest.raises(StepRefused) as refused:
        await council.register()
    assert (refused.value.status, refused.value.code) == (403, "enrolment_secret_required")

    owner = await Party(http, "owner", "Owner").register()
    duplicate = await http.post(
        "/parties", json={"role": "owner", "display_name": "Copycat", "public_key": owner.key.public_key_b64}
    )
    assert (duplicate.status_code, duplicate.json()["detail"]["code"]) == (409, "public_key_taken")
    short_key = base64.b64encode(b"x" * 31).decode() + "=" * 8
    response = await http.post(
        "/parties", json={"role": "owner", "display_name": "A", "public_key": short_key}
    )
    assert response.status_code == 422
    blank = await http.post(
        "/parties",
        json={
            "role": "owner",
            "display_name": "   ",
            "public_key": Party(http, "owner", "b").key.public_key_b64,
        },
    )
    assert blank.status_code == 422


async def test_bank_webhook_needs_a_valid_hmac(funded: EscrowFlow, stack):
    flow = funded
    event = {"type": "deposit.confirmed", "account_id": flow.escrow_id, "tx_id": "forged", "amount_fen": 5}
    body = json.dumps(event).encode()
    forged = hmac.new(b"wrong-secret", body, hashlib.sha256).hexdigest()
    response = await stack.http.post(
        "/webhooks/bank", content=body, headers={"X-Bank-Signature": f"sha256={forged}"}
    )
    assert (response.status_code, response.json()["detail"]["code"]) == (401, "bad_webhook_signature")
    assert (await stack.http.post("/webhooks/bank", content=body)).status_code == 401
    assert (await flow.state()).ledger.deposited_fen == 1_000_000


async def test_health_reports_every_dependency(stack):
    response = await stack.http.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"temporal": "ok", "database": "ok", "bank": "ok"}


async def test_health_is_503_when_the_bank_is_unreachable(stack):
    settings = stack.settings.model_copy(update={"bank_url": "http://127.0.0.1:9"})
    app = create_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["bank"].startswith("unreachable")
    assert response.json()["checks"]["temporal"] == "ok"


@pytest.mark.parametrize(
    ("plan", "code"),
    [
        ({}, "plan_required"),
        ({"total_fen": 3}, "total_too_small"),
        ({"total_fen": 1_000, "retention_fen": 1_000}, "retention_too_large"),
        ({"total_fen": 1_000, "stages": [{"name": "all", "amount_fen": 900}]}, "total_mismatch"),
    ],
)
async def test_a_contract_plan_that_does_not_add_up_is_refused(stack, plan, code):
    flow = await EscrowFlow(stack).register()
    with pytest.raises(StepRefused) as refused:
        await flow.create(**plan)
    assert (refused.value.status, refused.value.code) == (422, code)


async def test_a_total_with_its_own_retention_keeps_the_total(stack):
    flow = await EscrowFlow(stack).register()
    created = await flow.create(total_fen=1_000_000, retention_fen=30_000)
    terms = created["terms"]
    assert terms["retention_fen"] == 30_000
    assert sum(stage["amount_fen"] for stage in terms["stages"]) + 30_000 == 1_000_000
    assert [stage["amount_fen"] for stage in terms["stages"]] == [306_315, 306_315, 255_263, 102_107]
