"""Creates asked again get their first answer: one escrow per Idempotency-Key, one case per claim nonce
and per claim form's Idempotency-Key.

All over real HTTP against the session's stack and its Temporal server, once with SQLite and
once with PostgreSQL under the API and the bank (`stack_on_each_backend`: concurrent
duplicates meet on the database's unique keys); the failed start is provoked by a real
Temporal dev server that is shut down under the API.
"""

import asyncio
import json
import uuid
from dataclasses import asdict

import httpx
import pytest
from sqlmodel import Session
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from client.escrow_session import eventually
from client.party import Party
from db.request_records import get_request_record
from domain.steps.signing import sign
from tests.conftest import SEARCH_ATTRIBUTES, stack_on_each_backend, temporal_binary
from tests.kits.businesses import verified_business
from tests.kits.case_kit import claim, file
from tests.kits.flow import EscrowFlow
from tests.kits.servers import serve
from workflows.case_types import case_workflow_id
from workflows.escrow_types import escrow_workflow_id

stack = stack_on_each_backend()


def contract(flow: EscrowFlow, **changes) -> dict:
    return {
        "title": "Flat 3-2-501 full renovation",
        "owner_id": flow.owner.id,
        "contractor_id": flow.contractor.id,
        "inspector_id": flow.inspector.id,
        "total_fen": 2_000_000,
        **changes,
    }


async def create(http, flow: EscrowFlow, body: dict, key: str | None):
    headers = flow.owner.auth | ({"Idempotency-Key": key} if key else {})
    return await http.post("/escrows", json=body, headers=headers)


def number(escrow_id: str) -> int:
    return int(escrow_id.rsplit("-", 1)[1])


async def escrow_workflows_of(temporal: Client, party_id: str) -> list[str]:
    return [w.id async for w in temporal.list_workflows(f"EscrowParty = '{party_id}'")]


async def test_a_create_asked_again_answers_the_first_escrow_and_makes_no_second(stack):
    flow = await EscrowFlow(stack).register()
    key = uuid.uuid4().hex

    first = await create(stack.http, flow, contract(flow), key)
    again = await create(stack.http, flow, contract(flow), key)

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    escrow_id = first.json()["escrow_id"]
    workflows = await eventually(
        lambda: escrow_workflows_of(stack.temporal, flow.owner.id), bool, "the escrow's workflow", 30
    )
    assert workflows == [escrow_workflow_id(escrow_id)]
    listed = await eventually(
        lambda: flow.owner.http.get("/escrows", headers=flow.owner.auth),
        lambda r: r.json() != [],
        "the read model's row",
        30,
    )
    assert [row["escrow_id"] for row in listed.json()] == [escrow_id]
    # The repeat allocated no number: the next create gets the very next one.
    unkeyed = await create(stack.http, flow, contract(flow), None)
    assert number(unkeyed.json()["escrow_id"]) == number(escrow_id) + 1


async def test_a_key_reused_with_another_contract_is_refused_and_changes_nothing(stack):
    flow = await EscrowFlow(stack).register()
    key = uuid.uuid4().hex
    first = await create(stack.http, flow, contract(flow), key)

    reused = await create(stack.http, flow, contract(flow, total_fen=3_000_000), key)

    assert (reused.status_code, reused.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    assert "different contract" in reused.json()["detail"]["reason"]
    again = await create(stack.http, flow, contract(flow), key)
    assert again.json() == first.json()
    # Another party's key space is its own: the contractor may use the same key.
    contractor_headers = flow.contractor.auth | {"Idempotency-Key": key}
    theirs = await stack.http.post("/escrows", json=contract(flow), headers=contractor_headers)
    assert theirs.status_code == 201 and theirs.json()["escrow_id"] != first.json()["escrow_id"]


async def test_concurrent_identical_creates_make_one_escrow(stack):
    flow = await EscrowFlow(stack).register()
    key = uuid.uuid4().hex

    answers = await asyncio.gather(*(create(stack.http, flow, contract(flow), key) for _ in range(4)))

    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["escrow_id"] for a in answers}) == 1
    workflows = await eventually(
        lambda: escrow_workflows_of(stack.temporal, flow.owner.id), bool, "the escrow's workflow", 30
    )
    assert workflows == [escrow_workflow_id(answers[0].json()["escrow_id"])]


async def test_a_repeat_after_a_failed_start_starts_the_recorded_escrow(stack):
    flow = await EscrowFlow(stack).register()
    key = uuid.uuid4().hex
    doomed = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), search_attributes=SEARCH_ATTRIBUTES
    )
    address = doomed.client.service_client.config.target_host
    api = create_app(stack.settings.model_copy(update={"temporal_address": address}))
    async with serve(api) as url, httpx.AsyncClient(base_url=url, timeout=60) as http:
        # Connect the API's client while its Temporal is up, then take Temporal away.
        assert (await http.get("/escrows/ESC-1999-00001", headers=flow.owner.auth)).status_code == 404
        await doomed.shutdown()
        refused = await create(http, flow, contract(flow), key)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (503, "temporal_unavailable")
    with Session(stack.engine) as session:
        record = get_request_record(session=session, scope="escrow.create", party_id=flow.owner.id, key=key)
    assert record is not None
    escrow_id = json.loads(record.answer_json)["escrow_id"]
    handle = stack.temporal.get_workflow_handle(escrow_workflow_id(escrow_id))
    with pytest.raises(RPCError):  # recorded, but its workflow never started
        await handle.describe()

    repeated = await create(stack.http, flow, contract(flow), key)

    assert repeated.status_code == 201, repeated.json()
    assert repeated.json()["escrow_id"] == escrow_id
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    state = await flow.owner.escrow(escrow_id)
    assert state.phase == "draft" and state.terms_hash == repeated.json()["terms_hash"]


async def test_the_same_signed_claim_filed_twice_is_one_case(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    signed = buyer.sign("claim.file", dealer.id, claim(domain="car", main_specialty="transmission"))

    first, again = [
        await stack.http.post("/cases", json=asdict(signed), headers=buyer.auth) for _ in range(2)
    ]

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    case_id = first.json()["case_id"]
    assert (await stack.temporal.get_workflow_handle(case_workflow_id(case_id)).describe()).status == (
        WorkflowExecutionStatus.RUNNING
    )
    listed = (await stack.http.get("/cases", headers=buyer.auth)).json()
    assert [row["case_id"] for row in listed] in ([], [case_id])  # the read model may lag, never doubles
    # The repeat allocated no number: the next claim gets the very next case.
    other = await file(stack, buyer, dealer.id, claim(domain="car", main_specialty="transmission"))
    assert number(other.json()["case_id"]) == number(case_id) + 1


async def test_another_claim_under_a_used_nonce_is_refused(stack):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    signed = buyer.sign("claim.file", dealer.id, claim(domain="car", main_specialty="transmission"))
    first = await stack.http.post("/cases", json=asdict(signed), headers=buyer.auth)
    changed = sign(buyer.key.private_key, signed.envelope | {"payload": claim(domain="car", disputed_fen=1)})

    reused = await stack.http.post("/cases", json=asdict(changed), headers=buyer.auth)

    assert (reused.status_code, reused.json()["detail"]["code"]) == (409, "nonce_reused")
    other = await file(stack, buyer, dealer.id, claim(domain="car", main_specialty="transmission"))
    assert number(other.json()["case_id"]) == number(first.json()["case_id"]) + 1


async def test_the_same_escrow_claim_filed_twice_answers_the_first_case(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    signed = flow.owner.sign("claim.file", flow.contractor.id, claim(flow.escrow_id, 1))

    first, again = [
        await stack.http.post("/cases", json=asdict(signed), headers=flow.owner.auth) for _ in range(2)
    ]

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    assert (await flow.state()).disputes[0].case_id == first.json()["case_id"]


async def test_a_claim_signed_again_under_its_form_key_answers_the_first_case(stack):
    """A claim form's key (drawn when the page was rendered) holds across signatures: going Back
    and submitting the same claim signs it with a new nonce and time, and finds the first case."""
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    payload = claim(domain="car", main_specialty="transmission")
    headers = buyer.auth | {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}

    first, again = [
        await stack.http.post(
            "/cases", json=asdict(buyer.sign("claim.file", dealer.id, payload)), headers=headers
        )
        for _ in range(2)
    ]

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    # Another claim under that key is refused; the same claim under another key is another case.
    changed = buyer.sign("claim.file", dealer.id, payload | {"disputed_fen": 1})
    reused = await stack.http.post("/cases", json=asdict(changed), headers=headers)
    assert (reused.status_code, reused.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    assert "different claim" in reused.json()["detail"]["reason"]
    other_key = buyer.auth | {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}
    other = await stack.http.post(
        "/cases", json=asdict(buyer.sign("claim.file", dealer.id, payload)), headers=other_key
    )
    assert other.status_code == 201 and number(other.json()["case_id"]) == number(first.json()["case_id"]) + 1


async def test_an_escrow_claim_signed_again_under_its_form_key_answers_the_first_case(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    await flow.request_inspection(1)
    await flow.raise_dispute(flow.owner, [1], "the waterproofing leaks")
    headers = flow.owner.auth | {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}

    def signed() -> dict:
        return asdict(flow.owner.sign("claim.file", flow.contractor.id, claim(flow.escrow_id, 1)))

    first = await stack.http.post("/cases", json=signed(), headers=headers)
    again = await stack.http.post("/cases", json=signed(), headers=headers)

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    assert (await flow.state()).disputes[0].case_id == first.json()["case_id"]


async def test_a_registration_asked_again_under_its_form_key_is_the_first_party_with_a_new_token(stack):
    """The sign-in page's form key: an answer lost, or Back and submit again with the page's key
    pair, names the party the first request registered, never a second identity; its first token
    is not sent again (only its hash is kept), a fresh one is, and both work."""
    me = Party(stack.http, "owner", "回头再提交的业主")
    body = {"role": "owner", "display_name": "回头再提交的业主", "public_key": me.key.public_key_b64}
    key = {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}
    first = await stack.http.post("/parties", json=body, headers=key)
    again = await stack.http.post("/parties", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["party"] == again.json()["party"]
    assert first.json()["token"] != again.json()["token"]
    for answer in (first, again):
        me_now = await stack.http.get(
            "/parties/me", headers={"Authorization": f"Bearer {answer.json()['token']}"}
        )
        assert me_now.json()["id"] == first.json()["party"]["id"]

    other = Party(stack.http, "owner", "另一个设备密钥")
    reused = await stack.http.post(
        "/parties", json={**body, "public_key": other.key.public_key_b64}, headers=key
    )
    assert (reused.status_code, reused.json()["detail"]["code"]) == (409, "idempotency_key_reused")
    taken = await stack.http.post("/parties", json=body)  # without the key: the key pair is taken
    assert (taken.status_code, taken.json()["detail"]["code"]) == (409, "public_key_taken")
