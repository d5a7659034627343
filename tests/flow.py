"""Parties acting on one escrow through the API, as the tests and the demo need them.

Every step is signed locally with the party's own key and posted over HTTP.
Signing time is the workflow's own clock, so steps stay fresh when a test has
fast-forwarded that workflow's virtual time by days or years.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from client.party import Party, StepRefused
from db import crud
from db.models import CouncilAlert
from domain.escrow.machine import change_plan_hash
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
        return self.stack.temporal.get_workflow_handle_for(
            EscrowWorkflow.run, escrow_workflow_id(self.escrow_id)
        )

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

    # ------------------------------------------------- more steps and checks
    async def create_funded(self, **contract: Any) -> dict[str, Any]:
        """Draft the contract, have both sides sign it and deposit its full total."""
        created = await self.create(**contract)
        terms = created["terms"]
        await self.sign_contract()
        await self.deposit(sum(s["amount_fen"] for s in terms["stages"]) + terms["retention_fen"])
        return created

    async def refused(self, attempt: Awaitable[Any], status: int, code: str) -> StepRefused:
        """The API refuses the step with this status and code."""
        try:
            await attempt
        except StepRefused as refusal:
            assert (refusal.status, refusal.code) == (status, code), refusal
            return refusal
        raise AssertionError(f"the step was accepted; expected {status} {code}")

    async def fast_forward(self, delta: timedelta) -> None:
        """Advance this escrow's virtual clock (and only this one's)."""
        await self.stack.skipper.fast_forward(self.handle, delta)

    async def raise_dispute(
        self, party: Party, stages: list[int], reason: str = "workmanship", *, include_retention: bool = False
    ) -> int:
        payload: dict[str, Any] = {"reason": reason, "stages": stages}
        if include_retention:
            payload["include_retention"] = True
        await self.step(party, "/disputes", "dispute.raise", payload)
        return len((await self.state())["disputes"])

    async def decide(self, dispute: int, outcome: str, **amounts: int) -> None:
        """The council's signed final decision on a dispute."""
        payload = {
            "dispute": dispute,
            "outcome": outcome,
            "reasons": "the expert panel inspected the site",
            "decision_hash": f"sha256:decision-{self.escrow_id}-{dispute}",
            **amounts,
        }
        await self.step(self.council, f"/disputes/{dispute}/decision", "dispute.decide", payload)

    async def sign_change_order(
        self, party: Party, change_no: int, from_stage: int, stages: list[tuple[str, int]], retention_fen: int
    ) -> None:
        payload = {
            "change_no": change_no,
            "from_stage": from_stage,
            "stages": [{"name": name, "amount_fen": amount} for name, amount in stages],
            "retention_fen": retention_fen,
            "plan_hash": change_plan_hash(change_no, from_stage, stages, retention_fen),
        }
        await self.step(party, "/change-orders", "change_order.sign", payload)

    async def sign_cancellation(self, party: Party, reason: str = "mutual cancellation") -> None:
        await self.step(party, "/cancellation", "cancel.sign", {"reason": reason})

    async def claim_warranty(self, amount_fen: int, description: str = "bathroom leak") -> int:
        payload = {"description": description, "amount_fen": amount_fen, "evidence": ["sha256:leak-photo"]}
        await self.step(self.owner, "/warranty-claims", "warranty.claim", payload)
        return len((await self.state())["claims"])

    async def withdraw_claim(self, claim: int) -> None:
        await self.step(
            self.owner, f"/warranty-claims/{claim}/withdrawal", "warranty.withdraw", {"claim": claim}
        )

    def council_alerts(self) -> list[CouncilAlert]:
        """The council's alerts for this escrow, as the read model holds them."""
        with Session(self.stack.engine) as session:
            return crud.list_alerts(session=session, escrow_id=self.escrow_id)

    async def wait_for_alert(self, kind: str) -> CouncilAlert:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = [alert for alert in self.council_alerts() if alert.kind == kind]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {kind} alert for {self.escrow_id}: {self.council_alerts()}")
            await asyncio.sleep(0.05)

    async def statement(self) -> dict[str, tuple[str, int]]:
        """The bank's statement for the escrow account: business key -> (kind, amount)."""
        entries = await self.stack.bank.statement(self.escrow_id)
        keys = [entry.idempotency_key for entry in entries]
        assert len(keys) == len(set(keys)), "the bank booked one business key twice"
        return {
            entry.idempotency_key.removeprefix(f"{self.escrow_id}:"): (entry.kind, entry.amount_fen)
            for entry in entries
        }


def assert_conserved(state: dict[str, Any]) -> None:
    ledger = state["ledger"]
    assert ledger["deposited_fen"] == ledger["released_fen"] + ledger["refunded_fen"] + ledger["held_fen"]
    assert ledger["held_fen"] >= 0
    free = ledger["held_fen"] - ledger["pending_fen"]
    assert 0 <= free <= ledger["obligations_fen"], ledger


async def assert_bank_agrees(flow: EscrowFlow) -> dict[str, Any]:
    """Once every movement has settled, the bank's account matches the escrow's ledger."""
    state = await flow.settled()
    assert_conserved(state)
    balance = await flow.stack.bank.balance(flow.escrow_id)
    ledger = state["ledger"]
    assert balance.balance_fen == ledger["held_fen"]
    assert balance.deposited_fen == ledger["deposited_fen"]
    assert balance.paid_out_fen == ledger["released_fen"]
    assert balance.refunded_fen == ledger["refunded_fen"]
    return state
