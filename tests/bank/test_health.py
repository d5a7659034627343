"""Health reflects the database, and a bank without one is "unavailable", not "refused"."""

import httpx
import pytest

from sandbox_bank.app import create_app
from sandbox_bank.client import BankClient, BankUnavailable
from tests.bank.conftest import bank_settings, new_key
from tests.kits.servers import serve


async def test_health_is_ok_when_the_database_answers(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_database_down_is_503_and_retryable() -> None:
    # A missing SQLite file would simply be created, so take a PostgreSQL nobody runs.
    settings = bank_settings("postgresql://postgres@127.0.0.1:1/nothing", "http://127.0.0.1:1/")

    async with serve(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url) as raw:
            health = await raw.get("/health")
        async with BankClient(url, 10) as client:
            with pytest.raises(BankUnavailable) as unavailable:
                await client.deposit("ESC-2026-00001", 100, "owner", "funding", new_key())

    assert health.status_code == 503
    assert health.json()["detail"]["code"] == "database_unavailable"
    assert unavailable.value.status == 503
