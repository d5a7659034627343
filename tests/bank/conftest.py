"""Fixtures: a real sandbox bank over HTTP on SQLite and on PostgreSQL.

One bank per backend for the whole session (tests use fresh account ids, so they
do not see each other's money), plus one webhook receiver they all deliver to.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr

from config.settings import Settings
from sandbox_bank.app import create_app
from sandbox_bank.client import BankClient
from sandbox_bank.migrate import upgrade
from tests.kits.servers import WebhookReceiver, serve

ADMIN_TOKEN = "test-admin-token"
WEBHOOK_SECRET = b"test-webhook-secret"


@dataclass(frozen=True)
class RunningBank:
    url: str
    settings: Settings


def bank_settings(db_url: str, webhook_url: str) -> Settings:
    return Settings(
        bank_database_url=db_url,
        webhook_url=webhook_url,
        webhook_secret=SecretStr(WEBHOOK_SECRET.decode()),
        bank_admin_token=SecretStr(ADMIN_TOKEN),
    )


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], str]:
    def create() -> str:
        return f"sqlite:///{tmp_path_factory.mktemp('bank') / 'bank.db'}"

    return create


@pytest.fixture(scope="session")
async def receiver() -> AsyncIterator[tuple[WebhookReceiver, str]]:
    hook = WebhookReceiver()
    async with serve(hook.app()) as url:
        yield hook, f"{url}/webhooks/bank"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def bank(
    request: pytest.FixtureRequest,
    receiver: tuple[WebhookReceiver, str],
    sqlite_url: Callable[[], str],
) -> AsyncIterator[RunningBank]:
    new_database = request.getfixturevalue("new_pg_database") if request.param == "postgres" else sqlite_url
    settings = bank_settings(new_database(), receiver[1])
    upgrade(settings.bank_db_url())
    async with serve(create_app(settings)) as url:
        yield RunningBank(url, settings)


@pytest.fixture
async def client(bank: RunningBank) -> AsyncIterator[BankClient]:
    async with BankClient(bank.url, timeout_seconds=10, admin_token=ADMIN_TOKEN) as bank_client:
        yield bank_client


@pytest.fixture
async def http(bank: RunningBank) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=bank.url, timeout=10) as raw:
        yield raw


@pytest.fixture
async def account(client: BankClient) -> str:
    account_id = f"ESC-2026-{uuid4().hex[:10]}"
    await client.open_account(account_id)
    return account_id


def new_key() -> str:
    return f"test:{uuid4().hex}"
