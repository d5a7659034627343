"""What the benchmark drives: escrow lifecycles over HTTP, bare lifecycles, and drafts to keep open.

An escrow lifecycle is the happy path of a 4-stage contract, each step signed by its
party and posted to the API; the deposit goes to the bank, which confirms it to the
API by its webhook. It knows its amounts from the creation response, so the only
reads are the two waits the client really has (for the deposit, for the last receipt).
A bare lifecycle sends the same number of updates straight to its workflow.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from temporalio.client import Client

from bench.bare import BARE_TASK_QUEUE, BareScript, BareStep, BareWorkflow
from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from client.escrow_session import eventually
from client.party import Party
from domain.escrow.snapshot import EscrowSnapshot
from sandbox_bank.client import BankClient, BankRejected
from tests.kits.evidence_files import png

TOTAL_FEN = 20_000_000
WAIT_SECONDS = 120.0
# How often a waiting client re-reads an escrow: each read is a workflow query
# (server and worker work), so the bench polls at a client's pace, not the demo's 20 Hz.
POLL_SECONDS = 0.25


@dataclass
class Recorder:
    """Latencies in milliseconds and whatever went wrong."""

    step_ms: list[float] = field(default_factory=list)
    release_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reads: int = 0


@dataclass
class Bench:
    http: httpx.AsyncClient
    bank: BankClient
    temporal: Client
    owner: Party
    contractor: Party
    inspector: Party
    script: BareScript | None = None

    @classmethod
    async def register(
        cls, http: httpx.AsyncClient, bank: BankClient, temporal: Client, council_secret: str
    ) -> "Bench":
        """One owner, contractor and inspector for every escrow: parties are not what is measured.
        A council member verifies the two businesses and accredits the inspector, so contracts may
        name them."""
        council = await Party(http, "council", "bench council").register(enrolment_secret=council_secret)
        owner = await Party(http, "owner", "bench owner").register()
        contractor = await enrol_verified(Party(http, "contractor", "bench contractor"), council)
        inspector = await enrol_verified(Party(http, "inspector", "bench inspector"), council)
        await accredit_inspector(council, inspector.id)
        return cls(http, bank, temporal, owner, contractor, inspector)

    async def draft(self) -> dict[str, Any]:
        """Open an escrow: the contract drafted, its workflow started, waiting for signatures."""
        return await self.owner.create_contract(
            {
                "title": "bench renovation",
                "owner_id": self.owner.id,
                "contractor_id": self.contractor.id,
                "inspector_id": self.inspector.id,
                "total_fen": TOTAL_FEN,
            }
        )

    async def escrow_lifecycle(self, rec: Recorder) -> str:
        created = await self.draft()
        escrow_id: str = created["escrow_id"]
        terms = created["terms"]

        async def step(party: Party, path: str, action: str, payload: dict[str, Any]) -> None:
            started = time.perf_counter()
            await party.step(path, action, escrow_id, payload)
            rec.step_ms.append((time.perf_counter() - started) * 1000)

        async def state() -> EscrowSnapshot:
            rec.reads += 1
            return await self.owner.escrow(escrow_id)

        for party in (self.owner, self.contractor):
            await step(party, "/contract/signatures", "contract.sign", {"terms_hash": created["terms_hash"]})
        total = sum(s["amount_fen"] for s in terms["stages"]) + terms["retention_fen"]
        await self.deposit(escrow_id, total)
        await eventually(
            state, lambda s: s.ledger.deposited_fen == total, "the deposit", WAIT_SECONDS, POLL_SECONDS
        )
        accepted_at: dict[str, datetime] = {}
        for n, stage in enumerate(terms["stages"], start=1):
            # uploaded before the request is signed, as a client must (the same bytes every
            # lifecycle: after the first, the store answers at once without reading them)
            photos = [await self.contractor.upload_evidence(png(label=f"photos of stage {n}"))]
            await step(self.contractor, f"/stages/{n}/inspection-requests", "inspection.request",
                       {"stage": n, "evidence": photos, "note": "ready"})  # fmt: skip
            report_hash = f"sha256:report-{escrow_id}-{n}"
            await step(self.inspector, f"/stages/{n}/inspection-reports", "inspection.report",
                       {"stage": n, "round": 1, "result": "pass", "report_hash": report_hash})  # fmt: skip
            accepted_at[f"{escrow_id}:stage-{n}:release"] = datetime.now(UTC)
            accept = {"stage": n, "amount_fen": stage["amount_fen"], "report_hash": report_hash}
            await step(self.owner, f"/stages/{n}/acceptance", "stage.accept", accept)
        released = sum(s["amount_fen"] for s in terms["stages"])
        await eventually(
            state,
            lambda s: s.ledger.pending_fen == 0 and s.ledger.released_fen == released,
            "the last release",
            WAIT_SECONDS,
            POLL_SECONDS,
        )
        for entry in await self.bank.statement(escrow_id):
            if entry.idempotency_key in accepted_at:
                receipt = (
                    entry.created_at if entry.created_at.tzinfo else entry.created_at.replace(tzinfo=UTC)
                )
                rec.release_ms.append((receipt - accepted_at[entry.idempotency_key]).total_seconds() * 1000)
        return escrow_id

    async def deposit(self, escrow_id: str, amount_fen: int) -> None:
        """Pay in once the bank account exists: the workflow opens it with its first activity."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                await self.bank.deposit(
                    escrow_id,
                    amount_fen=amount_fen,
                    payer=self.owner.id,
                    reference="bench",
                    idempotency_key=f"{escrow_id}:deposit",
                )
                return
            except BankRejected as exc:
                if exc.code != "account_not_found" or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.05)

    async def bare_lifecycle(self, rec: Recorder) -> str:
        assert self.script is not None
        handle = await self.temporal.start_workflow(
            BareWorkflow.run, self.script, id=f"bare-{uuid.uuid4().hex}", task_queue=BARE_TASK_QUEUE
        )
        for _ in range(self.script.updates):
            await handle.execute_update(BareWorkflow.step, BareStep(uuid.uuid4().hex))
        await handle.result()
        return handle.id


async def run_many(
    count: int,
    concurrency: int,
    job: Callable[[], Awaitable[Any]],
    rec: Recorder,
    tick: Callable[[], None],
    phase: str,
) -> float:
    """Run `job` `count` times, `concurrency` at a time; the elapsed seconds. Failures are recorded."""
    queue = iter(range(count))

    async def lane() -> None:
        for _ in queue:
            try:
                await job()
            except Exception as exc:  # counted and shown: a benchmark reports errors, it does not stop
                rec.errors.append(f"{phase}: {type(exc).__name__}: {exc}")
            tick()

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return time.perf_counter() - started


async def offered_load(
    rate_per_s: float, seconds: float, job: Callable[[], Coroutine[Any, Any, Any]], rec: Recorder
) -> int:
    """Start `job` at a steady rate (open loop: a slow answer does not slow the arrivals)."""
    tasks: list[asyncio.Task[Any]] = []
    started = time.perf_counter()
    n = 0
    while (due := started + n / rate_per_s) < started + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(job()))
        n += 1
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            rec.errors.append(f"steady load: {type(result).__name__}: {result}")
    return n
