"""Schemathesis against the API's own OpenAPI schema, over real HTTP to a stack of its own.

Every operation gets a bounded, derandomized set of generated requests (valid and
invalid by the schema), sent with the token of a party of escrow A or the council,
and half the time aimed at A or case C instead of a made-up id, so the authorized
paths and the workflows' validators are reached. Each answer must be below 500; a
success must match its documented schema and content type; each refusal must carry
the error shape `{"detail": {"code", "message"}}` and change nothing: no row in any
application table, no step in A or C.

The stack is its own (fresh database, own task queue), so no other test's
workflow writes to the tables being counted. Hypothesis runs in a thread: the
servers share the test's event loop, which must stay free to answer.
"""

import asyncio
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from sqlalchemy import func, select
from sqlmodel import SQLModel

from client.party import Party
from tests.conftest import Stack, running_stack, stack_settings
from tests.flow import COUNCIL_SECRET
from tests.security_world import World, build_world
from tests.web.staff_kit import retire_enrolled

EXAMPLES_PER_OPERATION = 10
CALLERS = ("owner", "contractor", "council", "buyer")
AIMED = {"escrow_id": "escrow", "case_id": "case"}


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
        self.last_state: tuple[Any, ...] | None = None

    def state(self) -> tuple[Any, ...]:
        """Row counts of every application table and the versions of escrow A and case C."""
        with self.engine.connect() as connection:
            counts = tuple(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables
            )
        council = self.world.token_headers("council")
        escrow = self.http.get(f"{self.base_url}/escrows/{self.world.flow.escrow_id}", headers=council)
        case = self.http.get(f"{self.base_url}/cases/{self.world.case_id}", headers=council)
        return counts, escrow.json()["version"], case.json()["version"]

    def aim(self, case: schemathesis.Case) -> None:
        """Point the path at the real escrow or case, whichever the operation is about."""
        ids = {"escrow": self.world.flow.escrow_id, "case": self.world.case_id}
        for name in case.path_parameters or {}:
            kind = AIMED.get(name) or ("case" if case.path.startswith("/cases/") else "escrow")
            if name in AIMED or name == "subject_id":
                case.path_parameters[name] = ids[kind]

    def send(self, case: schemathesis.Case, caller: str, aimed: bool) -> None:
        if aimed:
            self.aim(case)
        before = self.last_state or self.state()  # nothing else writes to this stack
        response = case.call(
            base_url=self.base_url, session=self.http, headers=self.world.token_headers(caller)
        )
        self.statuses[response.status_code] += 1
        where = f"{case.method} {case.formatted_path} as {caller}: {response.status_code}"
        self.last_state = self.state()
        if response.status_code >= 500:
            self.problems.append(f"{where} {response.text[:300]}")
        if response.status_code < 300:
            try:
                checks = [response_schema_conformance, content_type_conformance]
                case.validate_response(response, checks=checks)
            except (Failure, FailureGroup) as exc:
                self.problems.append(f"{where} off its schema: {str(exc)[:400]}")
        if not 400 <= response.status_code < 500:
            return
        try:
            detail = response.json()["detail"]
            shaped = isinstance(detail["code"], str) and isinstance(detail["message"], str)
        except (ValueError, KeyError, TypeError):
            shaped = False
        if not shaped:
            self.problems.append(f"{where} without the error shape: {response.text[:300]}")
        if self.last_state != before:
            self.problems.append(f"{where} was refused yet changed something")

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
        @given(case=cases, caller=st.sampled_from(CALLERS), aimed=st.booleans())
        def fuzz(case: schemathesis.Case, caller: str, aimed: bool) -> None:
            self.send(case, caller, aimed)

        fuzz()


async def test_fuzzed_requests_never_fail_on_our_side_and_refusals_change_nothing(fuzz_stack):
    world = await build_world(fuzz_stack)
    await retire_enrolled(fuzz_stack)  # case C's panel is drawn; its experts leave the shared list
    schema = schemathesis.openapi.from_dict((await fuzz_stack.http.get("/openapi.json")).json())
    fuzzer = Fuzzer(fuzz_stack, world)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        await asyncio.to_thread(fuzzer.run, operation)
    assert fuzzer.problems == []
    reached = {200, 403, 404, 422} - fuzzer.statuses.keys()
    assert reached == set(), f"no answer with these statuses, so some paths went unexercised: {reached}"


@pytest.mark.parametrize("path", ["/escrows", "/cases", "/experts"])
async def test_an_offset_beyond_any_listing_is_a_422_not_a_500(stack, path):
    """Found by the fuzzer: an offset past SQLite's integer range crashed the query."""
    council = await Party(stack.http, "council", "Listing council").register(enrolment_secret=COUNCIL_SECRET)
    response = await stack.http.get(path, params={"offset": 2**63}, headers=council.auth)
    assert (response.status_code, response.json()["detail"]["code"]) == (422, "invalid_input")
    assert (await stack.http.get(path, params={"offset": 10}, headers=council.auth)).status_code == 200
