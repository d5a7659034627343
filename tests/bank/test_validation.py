"""Bad input gets a 4xx with a machine code, never a 500 and never a movement."""

import httpx
import pytest

from sandbox_bank.client import BankClient
from tests.bank.conftest import new_key

GOOD = {"amount_fen": 100, "payer": "owner", "reference": "funding"}


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "amount_fen": 10.5},
        {**GOOD, "amount_fen": 100.0},
        {**GOOD, "amount_fen": "100"},
        {**GOOD, "amount_fen": True},
        {**GOOD, "amount_fen": 0},
        {**GOOD, "amount_fen": -5},
        {**GOOD, "amount_fen": 10**30},
        {**GOOD, "reference": ""},
        {**GOOD, "reference": "x" * 201},
        {**GOOD, "surprise": 1},
        {"amount_fen": 100, "payer": "owner"},
        [GOOD],
        None,
    ],
)
async def test_malformed_body_is_422_invalid_input(
    http: httpx.AsyncClient, client: BankClient, account: str, body: object
) -> None:
    response = await http.post(
        f"/accounts/{account}/deposits", json=body, headers={"Idempotency-Key": new_key()}
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_input"
    assert detail["message"]
    assert (await client.balance(account)).balance_fen == 0


async def test_unparseable_json_is_422_invalid_input(http: httpx.AsyncClient, account: str) -> None:
    response = await http.post(
        f"/accounts/{account}/deposits",
        content=b'{"amount_fen": 1',
        headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "invalid_input"


async def test_a_nul_in_a_text_is_refused_at_the_edge_and_moves_nothing(
    http: httpx.AsyncClient, client: BankClient, account: str
) -> None:
    """PostgreSQL stores no text holding U+0000: the JSON policy refuses it first (config/json_policy.py)."""
    response = await http.post(
        f"/accounts/{account}/deposits",
        json={**GOOD, "payer": "own\x00er"},
        headers={"Idempotency-Key": new_key()},
    )

    assert (response.status_code, response.json()["detail"]["code"]) == (422, "nul_character")
    assert (await client.balance(account)).balance_fen == 0


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/accounts/bad%00id", "nul_character"),
        ("/accounts/" + "A" * 65, "invalid_input"),
        ("/accounts/bad%20id/statement", "invalid_input"),
    ],
)
async def test_malformed_account_id_is_422(http: httpx.AsyncClient, path: str, code: str) -> None:
    response = await http.get(path)

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == code


async def test_overlong_idempotency_key_is_422(http: httpx.AsyncClient, account: str) -> None:
    response = await http.post(
        f"/accounts/{account}/deposits", json=GOOD, headers={"Idempotency-Key": "k" * 256}
    )

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/no/such/thing", 404, "not_found"), ("DELETE", "/accounts", 405, "method_not_allowed")],
)
async def test_http_errors_share_the_error_shape(
    http: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    response = await http.request(method, path)

    assert response.status_code == status
    assert response.json()["detail"]["code"] == code
