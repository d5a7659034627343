"""Amounts over HTTP: JSON integers only, and never beyond the bound in domain/money.py.

pydantic's lax mode took `100000.0`, `1e5`, `"100000"` and `true` as fen and created an
escrow; a signed change order of 2^63 fen was applied and wedged the read model; a
deposit of any size was recorded. Each is refused now with a 422 and its code, and the
escrow is left exactly as it was.
"""

import json

import pytest

from api.errors import ApiError
from api.gateway import ESCROW, execute
from client.party import Party
from domain.money import MAX_AMOUNT_FEN
from tests.kits.businesses import verified_business
from tests.kits.case_kit import claim, file
from tests.kits.flow import EscrowFlow
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import DepositConfirmation

NOT_INTEGERS = ["100000.0", "1e5", '"100000"', "true"]  # as JSON text, exactly as a client sends it


async def post_contract(flow: EscrowFlow, body: str) -> tuple[int, dict]:
    headers = flow.owner.auth | {"Content-Type": "application/json"}
    response = await flow.stack.http.post("/escrows", content=body, headers=headers)
    return response.status_code, response.json()


def contract_json(flow: EscrowFlow, plan: str) -> str:
    parties = {
        "owner_id": flow.owner.id,
        "contractor_id": flow.contractor.id,
        "inspector_id": flow.inspector.id,
    }
    return '{"title": "Flat 3-2-501", ' + json.dumps(parties)[1:-1] + ", " + plan + "}"


@pytest.fixture
async def parties(stack) -> EscrowFlow:
    return await EscrowFlow(stack).register()


@pytest.mark.parametrize("number", NOT_INTEGERS)
@pytest.mark.parametrize(
    "plan",
    [
        '"total_fen": {n}',
        '"stages": [{{"name": "all", "amount_fen": {n}}}]',
        '"total_fen": 200000, "retention_fen": {n}',
    ],
)
async def test_a_contract_amount_that_is_not_a_json_integer_is_refused(parties, plan, number):
    status, body = await post_contract(parties, contract_json(parties, plan.format(n=number)))
    assert (status, body["detail"]["code"]) == (422, "invalid_input"), body
    assert body["detail"]["errors"][0]["type"] in ("int_type", "int_parsing"), body


@pytest.mark.parametrize(
    ("plan", "code"),
    [
        (f'"total_fen": {MAX_AMOUNT_FEN + 1}', "invalid_input"),
        (f'"total_fen": {2**63}', "invalid_input"),
        (f'"stages": [{{"name": "all", "amount_fen": {MAX_AMOUNT_FEN + 1}}}]', "invalid_input"),
        (f'"total_fen": 200000, "retention_fen": {10**400}', "invalid_input"),
        (
            f'"stages": [{{"name": "a", "amount_fen": {MAX_AMOUNT_FEN}}}], "retention_fen": 1',
            "total_out_of_range",
        ),
    ],
)
async def test_a_contract_beyond_the_bound_is_refused(parties, plan, code):
    status, body = await post_contract(parties, contract_json(parties, plan))
    assert (status, body["detail"]["code"]) == (422, code), body


async def test_a_contract_at_the_bound_is_drafted(parties):
    created = await parties.create(
        stages=[{"name": "all", "amount_fen": MAX_AMOUNT_FEN - 1}], retention_fen=1
    )
    assert sum(s["amount_fen"] for s in created["terms"]["stages"]) + 1 == MAX_AMOUNT_FEN


@pytest.fixture
async def funded(parties) -> EscrowFlow:
    await parties.create(total_fen=1_000_000)
    await parties.sign_contract()
    await parties.deposit(1_000_000)
    await parties.wait_for(lambda s: s.phase == "active", "the escrow funded")
    return parties


@pytest.mark.parametrize(
    ("stages", "retention", "code"),
    [
        ([("huge", 2**63)], 0, "out_of_range"),
        ([("huge", MAX_AMOUNT_FEN + 1)], 0, "out_of_range"),
        ([("a", 300_000)], MAX_AMOUNT_FEN + 1, "out_of_range"),
        ([("a", MAX_AMOUNT_FEN), ("b", MAX_AMOUNT_FEN)], 0, "total_out_of_range"),
        ([("a", MAX_AMOUNT_FEN)], 1, "total_out_of_range"),
    ],
)
async def test_a_change_order_beyond_the_bound_is_refused_and_changes_nothing(
    funded, stages, retention, code
):
    flow = funded
    before = await flow.state()
    attempt = flow.sign_change_order(flow.contractor, 1, 1, stages, retention)
    await flow.refused(attempt, 422, code)
    after = await flow.state()
    assert (after.version, after.stages, after.change_proposal) == (
        before.version,
        before.stages,
        None,
    )


@pytest.mark.parametrize("amount", [2**63, MAX_AMOUNT_FEN, MAX_AMOUNT_FEN - 1_000_000 + 1])
async def test_a_deposit_that_would_pass_the_bound_is_refused_as_the_webhook_sends_it(funded, amount):
    """The webhook and the bank desk both record a deposit through this update; its validator asks
    the machine, so the refusal is a 422 and nothing enters history."""
    flow = funded
    before = await flow.state()
    confirmation = DepositConfirmation(f"tx-too-much-{amount}", amount)
    with pytest.raises(ApiError) as refused:
        await execute(
            flow.stack.temporal, ESCROW, flow.escrow_id, EscrowWorkflow.record_deposit, confirmation
        )
    assert (refused.value.status, refused.value.code) == (422, "deposit_out_of_range")
    after = await flow.state()
    assert (after.version, after.ledger, after.movements) == (
        before.version,
        before.ledger,
        before.movements,
    )


@pytest.mark.parametrize(
    ("disputed", "code"),
    [
        (MAX_AMOUNT_FEN + 1, "out_of_range"),
        (2**63, "out_of_range"),
        ("600000", "not_an_integer"),
        (True, "not_an_integer"),
    ],
)
async def test_a_claim_disputing_an_amount_past_the_bound_or_not_an_integer_is_refused(stack, disputed, code):
    buyer = await Party(stack.http, "buyer", "Zhang Min").register()
    dealer = await verified_business(stack.http, "dealer", "Nanning Auto Sales")
    car = claim(domain="car", main_specialty="transmission", disputed_fen=disputed)
    refused = await file(stack, buyer, dealer.id, car)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, code)
    listed = await stack.http.get("/cases", headers=buyer.auth)
    assert listed.json() == []
