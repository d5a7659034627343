"""GET /escrows/standard-plan answers the very split POST /escrows makes of a total given without
stages, so the contract form starts from the plan the API would draft (issue 18 point 5)."""

import pytest

from tests.kits.flow import EscrowFlow


async def test_the_standard_plan_is_the_split_a_contract_without_stages_gets(stack):
    flow = await EscrowFlow(stack).register()
    total = 2_000_003  # not a round sum: the remainder of the split goes to the last stage

    asked = await stack.http.get(
        "/escrows/standard-plan", params={"total_fen": total}, headers=flow.owner.auth
    )
    created = await flow.create(total_fen=total)

    assert asked.status_code == 200, asked.json()
    plan = asked.json()
    assert plan["stages"] == created["terms"]["stages"]
    assert plan["retention_fen"] == created["terms"]["retention_fen"]
    assert plan["total_fen"] == total == sum(s["amount_fen"] for s in plan["stages"]) + plan["retention_fen"]


async def test_a_given_retention_is_kept_and_the_stages_share_the_rest(stack):
    flow = await EscrowFlow(stack).register()
    params = {"total_fen": 1_000_000, "retention_fen": 0}

    plan = (await stack.http.get("/escrows/standard-plan", params=params, headers=flow.owner.auth)).json()

    assert plan["retention_fen"] == 0
    assert sum(s["amount_fen"] for s in plan["stages"]) == 1_000_000


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"total_fen": 3}, "total_too_small"),
        ({"total_fen": 1_000, "retention_fen": 1_000}, "retention_too_large"),
        ({"total_fen": 0}, "invalid_input"),
        ({"total_fen": "12.5"}, "invalid_input"),
        ({}, "invalid_input"),
    ],
)
async def test_a_total_the_standard_plan_cannot_split_is_refused(stack, params, code):
    flow = await EscrowFlow(stack).register()
    refused = await stack.http.get("/escrows/standard-plan", params=params, headers=flow.owner.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (422, code)


async def test_only_a_signed_in_party_asks(stack):
    refused = await stack.http.get("/escrows/standard-plan", params={"total_fen": 1_000})
    assert refused.status_code == 401
