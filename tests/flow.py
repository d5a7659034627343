"""Parties acting on one escrow through the API, as the tests and the demo need them.

Every step is signed locally with the party's own key and posted over HTTP.
Signing time is the workflow's own clock, so steps stay fresh when a test has
fast-forwarded that workflow's virtual time by days or years.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from client.party import Party
from tests.conftest import Stack
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id

COUNCIL_SECRET = "test-council-secret"
WAIT_SECONDS = 20.0


class EscrowFlow:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        http = stack.http
        self.owner = Party(http, "owner", "Li Wei (owner)")
        self.contractor = Party(http, "contractor", "Guilin Jiazhuang Renovation Co.")
        self.inspector = Party(http, "inspector", "Lijiang Building Inspection")
        self.council = Party(http, "council", "Guilin Consumer Council")
        self.escrow_id = ""
        self.terms_hash = ""
        self.deposits = 0

    async def register(self) -> "EscrowFlow":
        for party in (self.owner, self.contractor, self.inspector):
            await party.register()
        await self.council.register(enrolment_secret=COUNCIL_SECRET)
        return self

    async def create(self, **contract: Any) -> dict[str, Any]:
        body = {
            "title": "Flat 3-2-501 full renovation",
            "owner_id": self.owner.id,
            "contractor_id": self.contractor.id,
            "inspector_id": self.inspector.id,
            **contract,
        }
        created = await self.owner.create_contract(body)
        self.escrow_id = created["escrow_id"]
        self.terms_hash = created["terms_hash"]
        return created

    @property
    def handle(self):
        return self.stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(self.escrow_id))

    async def now(self):
        return await self.stack.skipper.get_current_time(self.handle)

    async def step(self, party: Party, path: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await party.step(path, action, self.escrow_id, payload, now=await self.now())

    async def state(self) -> dict[str, Any]:
        return await self.owner.escrow(self.escrow_id)

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Re-read the workflow's state until `predicate` holds (bank and webhook work is asynchronous)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            state = await self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last state: {state}")
            await asyncio.sleep(0.05)

    async def settled(self) -> dict[str, Any]:
        """Wait until every instructed bank movement has its receipt."""
        return await self.wait_for(lambda s: s["ledger"]["pending_fen"] == 0, "bank movements to settle")

    # ---------------------------------------------------------------- steps
    async def sign_contract(self) -> None:
        for party in (self.owner, self.contractor):
            await self.step(party, "/contract/signatures", "contract.sign", {"terms_hash": self.terms_hash})

    async def deposit(self, amount_fen: int) -> None:
        """The owner pays into the escrow account at the bank; the bank confirms by webhook."""
        self.deposits += 1
        before = (await self.state())["ledger"]["deposited_fen"]
        await self.stack.bank.deposit(
            self.escrow_id,
            amount_fen=amount_fen,
            payer=self.owner.id,
            reference="owner deposit",
            idempotency_key=f"{self.escrow_id}:deposit-{self.deposits}",
        )
        await self.wait_for(lambda s: s["ledger"]["deposited_fen"] == before + amount_fen, "the deposit")

    async def request_inspection(self, stage: int) -> None:
        await self.step(
            self.contractor,
            f"/stages/{stage}/inspection-requests",
            "inspection.request",
            {"stage": stage, "evidence": [f"sha256:photos-stage-{stage}"], "note": "ready"},
        )

    async def report(self, stage: int, result: str, defects: list[dict] | None = None) -> str:
        state = await self.state()
        round_ = state["stages"][stage - 1]["round"]
        report_hash = f"sha256:report-{stage}-{round_}"
        payload = {"stage": stage, "round": round_, "result": result, "report_hash": report_hash}
        if defects:
            payload["defects"] = defects
        await self.step(self.inspector, f"/stages/{stage}/inspection-reports", "inspection.report", payload)
        return report_hash

    async def accept(self, stage: int, report_hash: str) -> None:
        amount = (await self.state())["stages"][stage - 1]["amount_fen"]
        await self.step(
            self.owner,
            f"/stages/{stage}/acceptance",
            "stage.accept",
            {"stage": stage, "amount_fen": amount, "report_hash": report_hash},
        )

    async def pass_stage(self, stage: int) -> None:
        await self.request_inspection(stage)
        report_hash = await self.report(stage, "pass")
        await self.accept(stage, report_hash)


def assert_conserved(state: dict[str, Any]) -> None:
    ledger = state["ledger"]
    assert ledger["deposited_fen"] == ledger["released_fen"] + ledger["refunded_fen"] + ledger["held_fen"]
    assert ledger["held_fen"] >= 0
    free = ledger["held_fen"] - ledger["pending_fen"]
    assert 0 <= free <= ledger["obligations_fen"], ledger
