"""How the client sorts failures: refusals are final, unknown outcomes are retryable."""

import socket

import httpx
import pytest

from sandbox_bank.client import BankClient, BankRejected, BankUnavailable


def answering(status: int, content: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _request: httpx.Response(status, content=content))


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (500, b"<html>oops</html>"),
        (502, b""),
        (503, b'{"detail": {"code": "injected_fault", "message": "x"}}'),
        (429, b'{"detail": {"code": "slow_down", "message": "x"}}'),
        (201, b"not json"),
        (201, b'{"tx_id": "tx_1"}'),
        (201, b"[]"),
    ],
)
async def test_unknown_outcomes_are_unavailable(status: int, content: bytes) -> None:
    async with BankClient("http://bank", 1, transport=answering(status, content)) as client:
        with pytest.raises(BankUnavailable):
            await client.deposit("ESC-1", 100, "owner", "funding", "key-1")


async def test_refusals_carry_code_message_and_status() -> None:
    body = b'{"detail": {"code": "insufficient_funds", "message": "Not enough."}}'
    async with BankClient("http://bank", 1, transport=answering(409, body)) as client:
        with pytest.raises(BankRejected) as refused:
            await client.payout("ESC-1", 100, "contractor", "stage-1", "key-1")

    assert (refused.value.code, refused.value.message, refused.value.status) == (
        "insufficient_funds",
        "Not enough.",
        409,
    )


async def test_refusal_without_the_error_shape_still_has_a_code() -> None:
    async with BankClient("http://bank", 1, transport=answering(400, b"bad")) as client:
        with pytest.raises(BankRejected) as refused:
            await client.balance("ESC-1")

    assert refused.value.code == "http_400"


async def test_nothing_listening_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening

        async with BankClient(url, 1) as client:
            assert await client.health() is False
            with pytest.raises(BankUnavailable):
                await client.refund("ESC-1", 100, "owner", "cancel", "key-1")


async def test_idempotency_key_travels_as_a_header() -> None:
    seen: list[httpx.Request] = []

    def bank(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201,
            json={
                "tx_id": "tx_1",
                "account_id": "ESC-1",
                "kind": "deposit",
                "amount_fen": 100,
                "reference": "funding",
                "idempotency_key": "ESC-1:funding",
                "created_at": "2026-01-01T00:00:00Z",
            },
        )

    async with BankClient("http://bank", 1, transport=httpx.MockTransport(bank)) as client:
        movement = await client.deposit("ESC-1", 100, "owner", "funding", "ESC-1:funding")

    assert seen[0].headers["Idempotency-Key"] == "ESC-1:funding"
    assert seen[0].url.path == "/accounts/ESC-1/deposits"
    assert movement.created_at.tzinfo is not None and movement.replayed is False
