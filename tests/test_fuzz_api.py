"""Schemathesis against the API's own OpenAPI schema, over real HTTP to a stack of its own.

Every operation gets `EXAMPLES_PER_OPERATION` derandomized generated requests (valid and
invalid by the schema), each with the real token of one of the world's callers (bank staff
and the expert seated on case C among them, nobody now and then), and most aimed at escrow
A or case C instead of a made-up id. A signed step's body is, four times in five, a real
envelope for that route (tests/kits/fuzz_steps.py draws its payload) signed by a party of the
process with its own key, mostly one whose role may sign it, so the signature check and the
workflows' update validators are reached, not only the route checks; claims likewise.

Every answer goes through schemathesis' checks: not a server error, a status code the
operation documents, its documented content type and body schema (error bodies included).
A refusal must carry `{"detail": {"code", "message"}}` and change nothing: every row of
every application table and the query results of escrow A and case C are the same after
it as before. An accepted request may change things: the fuzzer then waits until the
workflows it touched have projected their new state and settled their bank movements.

The steps that can close A or C (cancellation, withdrawal, rejection) come last, so the
others are fuzzed against live processes. The stack is its own (fresh database, own task
queue): nothing else writes to it. Hypothesis runs in a thread: the servers share the
test's event loop, which must stay free to answer.
"""

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlmodel import SQLModel

from client.keys import PartyKey
from client.party import Party
from db.models import CaseProjection, EscrowProjection, FundProjection
from tests.conftest import Stack, running_stack, stack_settings
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.fuzz_steps import Hints, mostly, payloads, signers
from tests.kits.security_world import (
    ANONYMOUS,
    BAD_TOKEN,
    CASE_ROLES,
    ESCROW_ROLES,
    FUND_ROLES,
    NUMBER_FIELDS,
    STEP_ACTIONS,
    World,
    build_world,
)
from tests.kits.staff_kit import retire_enrolled

EXAMPLES_PER_OPERATION = 50
CALLERS = (
    "owner",
    "contractor",
    "inspector",
    "council",
    "buyer",
    "dealer",
    "seated_expert",
    "bank",
    "other_owner",
    ANONYMOUS,
)
SIGNERS = (*CALLERS, "unseated_expert", BAD_TOKEN)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CLOSING = ("/cancellation", "/withdrawal", "/rejection")
SETTLE_SECONDS = 20.0


@pytest.fixture
async def fuzz_stack(temporal_env, tmp_path, thread_pool):
    settings = stack_settings(temporal_env, tmp_path)
    async with running_stack(temporal_env.client, settings, thread_pool, own_ids=True) as stack:
        yield stack


class Fuzzer:
    """Sends generated cases and records every answer that breaks a rule."""

    def __init__(self, stack: Stack, world: World) -> None:
        self.base_url = str(stack.http.base_url).rstrip("/")
        self.engine = stack.engine
        self.world = world
        self.http = requests.Session()
        self.problems: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.accepted_steps: Counter[str] = Counter()
        self.step_answers: Counter[str] = Counter()  # a signed step's error code, or "accepted"
        self.subjects = {"escrow": {world.flow.escrow_id}, "case": {world.case_id}, "fund": {world.fund_id}}
        self.settle()  # the dealer's fund, opened by the world, projects its first state
        self.last_state: tuple[Any, ...] = self.state()

    # ------------------------------------------------------------- state
    def read(self, kind: str, subject_id: str) -> dict[str, Any]:
        council = self.world.token_headers("council")
        response = self.http.get(f"{self.base_url}/{kind}s/{subject_id}", headers=council)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body["fund"] if kind == "fund" else body  # a fund comes with its deposit instructions

    def state(self) -> tuple[Any, ...]:
        """Every row of every application table, and what the workflows of escrow A, case C and fund F
        answer."""
        with self.engine.connect() as connection:
            rows = tuple(
                sorted(map(repr, connection.execute(select(table)).all()))
                for table in SQLModel.metadata.sorted_tables
            )
        escrow = self.read("escrow", self.world.flow.escrow_id)
        case = self.read("case", self.world.case_id)
        fund = self.read("fund", self.world.fund_id)
        self.hints = Hints.of(escrow, case, fund)
        return rows, escrow, case, fund

    def changed(self, before: tuple[Any, ...], after: tuple[Any, ...]) -> list[str]:
        tables = [table.name for table in SQLModel.metadata.sorted_tables]
        names = [*tables, "escrow A", "case C", "fund F"]
        parts = [*before[0], *before[1:]], [*after[0], *after[1:]]
        return [name for name, old, new in zip(names, *parts, strict=True) if old != new]

    def settled(self) -> bool:
        """Each touched process has projected its latest version and has no bank movement pending."""
        with self.engine.connect() as connection:
            for kind, model, key in (
                ("escrow", EscrowProjection, EscrowProjection.escrow_id),
                ("case", CaseProjection, CaseProjection.case_id),
                ("fund", FundProjection, FundProjection.fund_id),
            ):
                for subject_id in self.subjects[kind]:
                    current = self.read(kind, subject_id)
                    if kind != "case" and current["ledger"]["pending_fen"]:
                        return False
                    projected = connection.execute(select(model.version).where(key == subject_id)).scalar()
                    if projected != current["version"]:
                        return False
        return True

    def settle(self) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while not self.settled():
            if time.monotonic() > deadline:
                raise AssertionError(f"the processes {self.subjects} did not settle")
            time.sleep(0.05)

    # ---------------------------------------------------------- requests
    def aim(self, case: schemathesis.Case) -> None:
        """Point the path at escrow A or case C, and the body's ids at A and its parties."""
        ids = {"escrow": self.world.flow.escrow_id, "case": self.world.case_id, "fund": self.world.fund_id}
        for name in case.path_parameters or {}:
            if name in ("escrow_id", "case_id", "subject_id", "fund_id"):
                case.path_parameters[name] = ids[kind_of(case.path)]
        if isinstance(case.body, dict):  # ids a body names: escrow A's, its parties', a usable key
            roles = ("owner", "contractor", "inspector")
            parties = {f"{role}_id": self.world.parties[role].id for role in roles}
            for name in case.body.keys() & {"escrow_id", *parties, "public_key"}:
                if name == "public_key":
                    case.body[name] = PartyKey.generate().public_key_b64
                else:
                    case.body[name] = parties.get(name, ids["escrow"])

    def sign(self, case: schemathesis.Case, caller: str, data: st.DataObject) -> None:
        """Replace the body with a real envelope for the route, signed by one of the process's parties."""
        if case.path == "/cases":
            responder = data.draw(st.sampled_from(["dealer", "contractor", "other_dealer"]))
            subject = self.world.parties[responder].id
            signer = caller if caller in self.world.parties else "buyer"
            case.body = self.world.signed(
                signer, "claim.file", subject, data.draw(payloads("claim.file", self.hints))
            )
            return
        action = STEP_ACTIONS[case.path]
        roles = {"case": CASE_ROLES, "fund": FUND_ROLES, "escrow": ESCROW_ROLES}[kind_of(case.path)]
        rightful = signers(action, roles)
        if rightful and data.draw(mostly(4)):
            signer = data.draw(st.sampled_from(rightful))
        else:
            signer = data.draw(st.sampled_from(SIGNERS))
        payload = data.draw(payloads(action, self.hints))
        number_field = NUMBER_FIELDS.get(case.path)
        if number_field and type(payload.get(number_field)) is int and data.draw(mostly(10)):
            case.path_parameters["number"] = payload[number_field]  # else the route refuses it first
        subject = case.path_parameters["subject_id"]
        case.body = self.world.signed(signer, action, subject, payload)

    def send(self, case: schemathesis.Case, caller: str, aimed: bool, data: st.DataObject) -> None:
        if aimed:
            self.aim(case)
        signable = case.path in STEP_ACTIONS or (case.method == "POST" and case.path == "/cases")
        if signable and data.draw(mostly(5)):
            self.sign(case, caller, data)
        before = self.last_state
        response = case.call(
            base_url=self.base_url, session=self.http, headers=self.world.token_headers(caller)
        )
        status = response.status_code
        self.statuses[status] += 1
        where = f"{case.method} {case.formatted_path} as {caller}: {status}"
        asked = f"body {str(case.body)[:300]} answer {response.text[:300]}"
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as exc:
            self.problems.append(f"{where} failed a check: {str(exc)[:500]}; {asked}")
        if case.path in STEP_ACTIONS:
            self.step_answers[response.json()["detail"]["code"] if 400 <= status < 500 else "accepted"] += 1
        if status < 300 and case.method != "GET":
            self.accepted(case, response)
        self.last_state = self.state()
        if not 400 <= status < 500:
            return
        try:
            detail = response.json()["detail"]
            shaped = isinstance(detail["code"], str) and isinstance(detail["message"], str)
        except (ValueError, KeyError, TypeError):
            shaped = False
        if not shaped:
            self.problems.append(f"{where} without the error shape; {asked}")
        if self.last_state != before:
            changed = self.changed(before, self.last_state)
            self.problems.append(f"{where} was refused yet changed {changed}; {asked}")

    def accepted(self, case: schemathesis.Case, response: requests.Response) -> None:
        """Track what an accepted request created, and wait for what it moved to settle."""
        if case.path in STEP_ACTIONS:
            self.accepted_steps[STEP_ACTIONS[case.path]] += 1
        body = response.json() if response.content else {}
        if isinstance(body, dict) and case.path in ("/escrows", "/cases"):
            kind = case.path.removeprefix("/").removesuffix("s")
            self.subjects[kind].add(body[f"{kind}_id"])
        if isinstance(body, dict) and case.path == "/funds":  # a business opened (or re-read) its fund
            self.subjects["fund"].add(body["fund"]["fund_id"])
        self.settle()

    def run(self, operation: schemathesis.schemas.APIOperation) -> None:
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, caller=st.sampled_from(CALLERS), aim=mostly(4), data=st.data())
        def fuzz(case: schemathesis.Case, caller: str, aim: bool, data: st.DataObject) -> None:
            self.send(case, caller, aim, data)

        fuzz()


def kind_of(path: str) -> str:
    """Which of the world's processes a path's id names."""
    return "case" if path.startswith("/cases/") else "fund" if path.startswith("/funds/") else "escrow"


def closing_last(operation: schemathesis.schemas.APIOperation) -> bool:
    return operation.path.endswith(CLOSING)


async def test_fuzzed_requests_pass_the_schema_checks_and_refusals_change_nothing(fuzz_stack):
    world = await build_world(fuzz_stack)
    await retire_enrolled(fuzz_stack)  # case C's panel is drawn; its experts leave the shared list
    schema = schemathesis.openapi.from_dict((await fuzz_stack.http.get("/openapi.json")).json())
    fuzzer = await asyncio.to_thread(Fuzzer, fuzz_stack, world)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=closing_last)
    started = time.monotonic()
    for operation in operations:
        await asyncio.to_thread(fuzzer.run, operation)
    print(
        f"\nfuzzed {len(operations)} operations x {EXAMPLES_PER_OPERATION} examples in "
        f"{time.monotonic() - started:.0f} s: {sum(fuzzer.statuses.values())} requests, "
        f"statuses {dict(sorted(fuzzer.statuses.items()))}, accepted steps {dict(fuzzer.accepted_steps)}, "
        f"answers to signed steps {dict(fuzzer.step_answers.most_common())}"
    )
    assert fuzzer.problems == []
    reached = {200, 201, 401, 403, 404, 409, 422} - fuzzer.statuses.keys()
    assert reached == set(), f"no answer with these statuses, so some paths went unexercised: {reached}"
    assert len(fuzzer.accepted_steps) >= 3, f"signed steps barely got through: {fuzzer.accepted_steps}"


@pytest.mark.parametrize("path", ["/escrows", "/cases", "/experts"])
async def test_an_offset_beyond_any_listing_is_a_422_not_a_500(stack, path):
    """Found by the fuzzer: an offset past SQLite's integer range crashed the query."""
    council = await Party(stack.http, "council", "Listing council").register(enrolment_secret=COUNCIL_SECRET)
    response = await stack.http.get(path, params={"offset": 2**63}, headers=council.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "invalid_input")
    assert (await stack.http.get(path, params={"offset": 10}, headers=council.auth)).status_code == 200
