"""Hostile bodies at every endpoint of the API and the sandbox bank, over real HTTP.

The endpoints are read from each service's own OpenAPI document, as the security
matrix does (tests/test_security.py), so a new endpoint is covered without a line
here. Each gets every payload class in `PAYLOADS`, once with a valid credential (the
owner's or council's token; a valid HMAC for the bank webhook; the admin token at the
bank) and once without, whatever its method: the JSON policy at the edge
(config/json_policy.py) answers before any route is chosen. Each answer must be a 4xx
with the error shape, and afterwards nothing may differ: every row of every table of
both databases, escrow A's, case C's and fund F's state and history length, and the workflows
on the stack's task queue (contents compared, not counts).

`PAYLOADS` is a list so that classes can be added: one the edge refuses names its
answer; one it lets through (money as a float, a string or a boolean, refused by the
models behind it) has `refused_with=None`, is sent only to operations that take a JSON
body, and may be refused with any 4xx.

The stack is this module's own, so no other test's workflow writes to what is compared.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, create_engine, select

from config.json_policy import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests.conftest import Stack, running_stack, stack_settings
from tests.kits.security_world import World, build_world
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id


@dataclass(frozen=True)
class PayloadClass:
    name: str
    body: bytes
    refused_with: (
        tuple[int, str] | None
    )  # the edge's answer on any endpoint; None: some 4xx, JSON bodies only


def nested(depth: int) -> bytes:
    return b'{"envelope": ' + b"[" * depth + b"]" * depth + b', "signature": "x"}'


MONEY_NOT_INTEGERS = (
    ("float", b"100000.0"),
    ("exponent", b"1e5"),
    ("string", b'"100000"'),
    ("bool", b"true"),
)


def contract_with(amount: bytes) -> bytes:
    return (
        b'{"title": "t", "owner_id": "P-1", "contractor_id": "P-2", "inspector_id": "P-3", '
        b'"total_fen": ' + amount + b', "retention_fen": ' + amount + b', "amount_fen": ' + amount + b"}"
    )


PAYLOADS = [
    PayloadClass("nan", b'{"amount_fen": NaN}', (422, "json_non_finite_number")),
    PayloadClass("infinity", b'{"amount_fen": Infinity}', (422, "json_non_finite_number")),
    PayloadClass("minus_infinity", b'{"amount_fen": -Infinity}', (422, "json_non_finite_number")),
    PayloadClass("lone_surrogate_value", b'{"display_name": "\\ud800"}', (422, "json_lone_surrogate")),
    PayloadClass("lone_surrogate_key", b'{"\\udfff": "x"}', (422, "json_lone_surrogate")),
    PayloadClass("nul_in_text", b'{"display_name": "a\\u0000b"}', (422, "nul_character")),
    PayloadClass("duplicate_key", b'{"role": "owner", "role": "council"}', (422, "json_duplicate_key")),
    PayloadClass("nested_500", nested(500), (422, "json_too_deep")),
    PayloadClass("nested_past_limit", nested(MAX_JSON_DEPTH), (422, "json_too_deep")),
    PayloadClass("over_size_limit", b'{"x": "' + b"a" * MAX_JSON_BYTES + b'"}', (413, "body_too_large")),
    PayloadClass("invalid_utf8", b'{"display_name": "\xc3\x28"}', (422, "invalid_input")),
    PayloadClass("truncated", b'{"envelope": {"action": "contract.sign", "subj', (422, "invalid_input")),
    # Past the edge: amounts that are not JSON integers, in a contract whatever the route (the
    # models behind the edge refuse them; tests/test_api_money.py pins each field's answer).
    *(PayloadClass(f"money_{name}", contract_with(amount), None) for name, amount in MONEY_NOT_INTEGERS),
]
CALLERS = ("with_credential", "without")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template, as in the OpenAPI document
    takes_json: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(schema: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, "application/json" in op.get("requestBody", {}).get("content", {}))
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


@pytest.fixture(scope="module")
async def hostile_stack(temporal_env, tmp_path_factory, thread_pool):
    settings = stack_settings(temporal_env, tmp_path_factory.mktemp("hostile"))
    async with running_stack(temporal_env.client, settings, thread_pool, own_ids=True) as stack:
        yield stack


@pytest.fixture(scope="module")
async def world(hostile_stack) -> World:
    return await build_world(hostile_stack)


def table_contents(url: str) -> dict[str, list[str]]:
    """Every row of every table, as text, sorted: a changed value shows even when no count moves."""
    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as connection:
            return {
                name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                for name, table in tables.tables.items()
            }
    finally:
        engine.dispose()


async def everything(stack: Stack, world: World) -> dict[str, Any]:
    escrow = stack.temporal.get_workflow_handle(escrow_workflow_id(world.flow.escrow_id))
    case = stack.temporal.get_workflow_handle(case_workflow_id(world.case_id))
    fund = stack.temporal.get_workflow_handle(fund_workflow_id(world.fund_id))
    queue = stack.settings.temporal_task_queue
    return {
        "api_rows": table_contents(stack.settings.app_database_url()),
        "bank_rows": table_contents(stack.settings.bank_db_url()),
        "escrow": await escrow.query(EscrowWorkflow.snapshot),
        "escrow_history": (await escrow.describe()).raw_description.workflow_execution_info.history_length,
        "case": await case.query(CaseWorkflow.snapshot),
        "case_history": (await case.describe()).raw_description.workflow_execution_info.history_length,
        "fund": await fund.query(FundWorkflow.snapshot),
        "fund_history": (await fund.describe()).raw_description.workflow_execution_info.history_length,
        "workflows": sorted(
            [
                (w.id, w.run_id, str(w.status))
                async for w in stack.temporal.list_workflows(f'TaskQueue="{queue}"')
            ]
        ),
    }


class Attack:
    """Sends every payload class to every operation of one service and records what broke a rule."""

    def __init__(
        self, http: httpx.AsyncClient, credential: Callable[[Operation, bytes], dict[str, str]]
    ) -> None:
        self.http = http
        self.credential = credential
        self.wrong: list[str] = []
        self.checked: set[tuple[str, str]] = set()

    async def run(self, ops: list[Operation], fill: Callable[[str], str]) -> None:
        for op in ops:
            for payload in PAYLOADS:
                if payload.refused_with is None and not op.takes_json:
                    continue
                for caller in CALLERS:
                    headers = {"Content-Type": "application/json"}
                    if caller == "with_credential":
                        headers |= self.credential(op, payload.body)
                    response = await self.http.request(
                        op.method, fill(op.path), content=payload.body, headers=headers
                    )
                    self.check(f"{op} {payload.name} {caller}", response, payload)
                self.checked.add((str(op), payload.name))

    def check(self, where: str, response: httpx.Response, payload: PayloadClass) -> None:
        try:
            detail = response.json()["detail"]
            got = (response.status_code, detail["code"])
            shaped = isinstance(detail["code"], str) and isinstance(detail["message"], str)
        except (ValueError, KeyError, TypeError):
            got, shaped = (response.status_code, None), False
        expected_ok = (
            got == payload.refused_with if payload.refused_with else 400 <= response.status_code < 500
        )
        if not (shaped and expected_ok):
            self.wrong.append(f"{where}: {response.status_code} {response.text[:200]}")


async def test_every_api_endpoint_refuses_every_hostile_body_and_nothing_changes(
    hostile_stack: Stack, world: World, record_property
):
    stack = hostile_stack
    ops = operations((await stack.http.get("/openapi.json")).json())
    secret = stack.settings.webhook_secret.get_secret_value().encode()

    def credential(op: Operation, body: bytes) -> dict[str, str]:
        if op.path == "/webhooks/bank":  # its HMAC is its only credential
            return {"X-Bank-Signature": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()}
        councils = ("/experts", "/council", "/key-recoveries", "/businesses", "/warnings", "/funds")
        return world.token_headers("council" if op.path.startswith(councils) else "owner")

    def fill(template: str) -> str:
        return template.format(
            escrow_id=world.flow.escrow_id,
            case_id=world.case_id,
            subject_id=world.subject_of(template),
            fund_id=world.fund_id,
            number=1,
            expert_id="EXP-NO-SUCH-EXPERT",
            token_id="no-such-token",
            quarter="2026Q3",
            digest=f"sha256:{'0' * 64}",
            webhook_id="no-such-webhook",
            delivery_id="no-such-delivery",
            channel_id="no-such-channel",
            notification_id="999999",
            request_id="KR-NOSUCHREQUEST",
            party_id=world.flow.contractor.id,
            key_id="key-0000000000000000",
            pairing_id="NO-SUCH-PAIRING",
            accreditation_id="ACC-NO-SUCH",
            delegation_id="DLG-NO-SUCH",
            district="450300",
            warning_id="WRN-1999-00001",
        )

    before = await everything(stack, world)
    attack = Attack(stack.http, credential)
    await attack.run(ops, fill)
    assert attack.wrong == []
    assert await everything(stack, world) == before
    report(record_property, "api", attack, ops)


async def test_every_bank_endpoint_refuses_every_hostile_body_and_nothing_changes(
    hostile_stack: Stack, world: World, record_property
):
    stack = hostile_stack
    admin = {"X-Admin-Token": stack.settings.bank_admin_token.get_secret_value()}
    async with httpx.AsyncClient(base_url=stack.settings.bank_url, timeout=30) as bank:
        ops = operations((await bank.get("/openapi.json")).json())
        before = await everything(stack, world)
        attack = Attack(bank, lambda op, body: {**admin, "Idempotency-Key": f"hostile-{op.method}-{op.path}"})
        await attack.run(
            ops, lambda template: template.format(account_id=world.flow.escrow_id, tx_id="no-such-tx")
        )
    assert attack.wrong == []
    assert await everything(stack, world) == before
    report(record_property, "bank", attack, ops)


def report(record_property, service: str, attack: Attack, ops: list[Operation]) -> None:
    """The figure for the record: endpoints × payload classes, each sent with and without a credential."""
    expected = {(str(op), p.name) for op in ops for p in PAYLOADS if p.refused_with or op.takes_json}
    assert ops and attack.checked == expected
    classes = len({name for _, name in attack.checked})
    line = f"{service}: {len(ops)} endpoints x {classes} payload classes = {len(attack.checked)} checked"
    record_property(f"{service}_checked", len(attack.checked))
    print(f"{line}, {len(attack.checked) * len(CALLERS)} requests")
