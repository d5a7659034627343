"""The JSON policy at the edge (config/json_policy.py): the cases of issue 12, over real HTTP.

Each of these answered 500 before the policy (or passed the route checks and broke
further in): NaN or a lone surrogate on `POST /parties` with no token, a body nested
hundreds deep on a signed step and on the bank webhook with a valid HMAC. Every
endpoint against every payload class, with and without a token: tests/test_hostile_input.py.
"""

import hashlib
import hmac
import json

import httpx
import pytest

from config.json_policy import MAX_JSON_BYTES, MAX_JSON_DEPTH, JsonRefused, error_reply, loads_strict

JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


REFUSED = [
    (b'{"amount_fen": NaN}', "json_non_finite_number"),
    (b'{"amount_fen": Infinity}', "json_non_finite_number"),
    (b'{"amount_fen": -Infinity}', "json_non_finite_number"),
    (b'{"amount_fen": 1e999}', "json_non_finite_number"),
    (b'{"name": "\\ud800"}', "json_lone_surrogate"),
    (b'{"\\udc00": 1}', "json_lone_surrogate"),
    (b'["ok", ["\\ud83d"]]', "json_lone_surrogate"),
    (b'{"name": "Zh\\u0000ang"}', "nul_character"),
    (b'{"\\u0000": 1}', "nul_character"),
    (b'["ok", ["\\u0000"]]', "nul_character"),
    (b'{"a": 1, "a": 2}', "json_duplicate_key"),
    (b'[{"b": {"a": 1, "a": 1}}]', "json_duplicate_key"),
    (nested(MAX_JSON_DEPTH + 1), "json_too_deep"),
    (nested(500), "json_too_deep"),
    (nested(100_000), "json_too_deep"),  # RecursionError inside the parser itself
    (b'{"name": "\xed\xa0\x80"}', "invalid_input"),  # a surrogate encoded as UTF-8 bytes
    (b"\xff\xfe{}", "invalid_input"),
    (b'{"amount_fen": 1', "invalid_input"),
    (b"1" * 5000, "invalid_input"),  # past the int conversion limit: a ValueError, not a JSONDecodeError
]


@pytest.mark.parametrize(("body", "code"), REFUSED)
def test_the_policy_refuses_what_python_would_take(body: bytes, code: str):
    with pytest.raises(JsonRefused) as refused:
        loads_strict(body)
    assert (refused.value.status, refused.value.code) == (422, code)


def test_plain_json_passes_as_it_is():
    body = '{"a": [1, -2, 2.5, "é", "😀", "\\ud83d\\ude00", {"b": null, "c": true}]}'.encode()
    assert loads_strict(body) == {"a": [1, -2, 2.5, "é", "😀", "😀", {"b": None, "c": True}]}
    assert loads_strict(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))


def test_an_error_reply_can_always_be_written():
    """Whatever reaches a message (an id from the path, a field name), the reply is still UTF-8 JSON."""
    reply = error_reply(422, "invalid_input", "body.\ud800: Extra inputs are not permitted", errors=[])
    assert json.loads(reply.body) == {
        "detail": {"code": "invalid_input", "message": "body.?: Extra inputs are not permitted", "errors": []}
    }


def code_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["code"]


@pytest.mark.parametrize(("body", "code"), REFUSED)
async def test_registration_with_no_token_is_refused_by_the_policy(stack, body: bytes, code: str):
    response = await stack.http.post("/parties", content=body, headers=JSON)
    assert code_of(response) == (422, code)
    assert (await stack.http.get("/health")).status_code == 200  # the connection and server carry on


@pytest.mark.parametrize(("body", "code"), REFUSED)
async def test_the_bank_has_the_same_policy(stack, body: bytes, code: str):
    async with httpx.AsyncClient(base_url=stack.settings.bank_url) as bank:
        response = await bank.post("/accounts", content=body, headers=JSON)
    assert code_of(response) == (422, code)


async def test_a_deep_body_never_reaches_the_step_route_or_temporal(stack):
    deep = {"envelope": json.loads(nested(500)), "signature": "x"}
    body = json.dumps(deep).encode()
    response = await stack.http.post(
        "/escrows/ESC-2019-99999/contract/signatures", content=body, headers=JSON
    )
    assert code_of(response) == (422, "json_too_deep")


@pytest.mark.parametrize(
    ("body", "code"), [(nested(100_000), "json_too_deep"), (b'{"amount_fen": NaN}', "json_non_finite_number")]
)
async def test_the_webhook_is_held_to_the_policy_even_with_a_valid_hmac(stack, body: bytes, code: str):
    secret = stack.settings.webhook_secret.get_secret_value().encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    headers = {**JSON, "X-Bank-Signature": signature}
    response = await stack.http.post("/webhooks/bank", content=body, headers=headers)
    assert code_of(response) == (422, code)


async def chunks(body: bytes):
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


def service_url(stack, service: str) -> str:
    return str(stack.http.base_url) if service == "api" else stack.settings.bank_url


@pytest.mark.parametrize(("service", "path"), [("api", "/parties"), ("bank", "/accounts")])
@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_413_whatever_content_length_says(stack, service, path, streamed):
    body = b'{"display_name": "' + b"x" * MAX_JSON_BYTES + b'"}'
    async with httpx.AsyncClient(base_url=service_url(stack, service)) as http:
        response = await http.post(path, content=chunks(body) if streamed else body, headers=JSON)
    assert code_of(response) == (413, "body_too_large")


async def test_a_body_at_the_limit_reaches_the_route(stack):
    padding = MAX_JSON_BYTES - len(b'{"role": "owner", "display_name": ""}')
    body = b'{"role": "owner", "display_name": "' + b"x" * padding + b'"}'
    assert len(body) == MAX_JSON_BYTES
    response = await stack.http.post("/parties", content=body, headers=JSON)
    assert code_of(response) == (422, "invalid_input")  # the model's own checks: no key, name too long


async def test_a_validation_error_never_echoes_the_input(stack):
    """A body not declared as JSON reaches the validator as bytes; its reply used to echo them."""
    response = await stack.http.post(
        "/parties", content=b"\xff\xfe\xed\xa0\x80", headers={"Content-Type": "text/plain"}
    )
    assert code_of(response) == (422, "invalid_input")
    assert all("input" not in error for error in response.json()["detail"]["errors"])


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("api", "/experts?q=Zh%00ang"),
        ("api", "/escrows/ESC-2026-%0000001"),
        ("api", "/public/warnings?lang=%00"),
        ("bank", "/accounts/ESC%00"),
    ],
)
async def test_a_url_holding_a_nul_is_refused_before_any_lookup(stack, service, path):
    """PostgreSQL refuses a NUL in any text it is asked to compare, so a lookup by it was a 500."""
    async with httpx.AsyncClient(base_url=service_url(stack, service)) as http:
        response = await http.get(path)
    assert code_of(response) == (422, "nul_character")
