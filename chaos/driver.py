"""The parties of many escrows, each escrow's whole life over the API, safe to retry.

While the stack is being broken, a request may fail in a way that says nothing about
whether it landed (connection cut, 502-504, a timeout). Steps are therefore signed
once and the very same signed envelope is re-sent until the API answers. If an
earlier attempt did land, the workflow refuses the re-send with `nonce_reused`; the
nonce is 128 random bits this process drew for this one step, so that refusal can
only mean our own earlier attempt was applied, and it is counted as done, never
re-signed (which would apply the step twice). Deposits are re-sent to the bank with
the same idempotency key, and creates to the API with the same Idempotency-Key (a
lost answer then leaves no second draft). Reads are simply repeated.

The escrow's warranty (two years by default) is passed with Temporal's per-workflow
time skipping, the way the tests and the dispute demo do it: once the last stage is
paid, that one escrow's virtual clock is fast-forwarded past its warranty, so the
retention is paid and the workflow closes; every other workflow keeps real time.
"""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import TimeSkipper

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from client.escrow_session import EscrowSession
from client.party import Party, StepRefused, raise_for_error
from domain.deposit_reference import deposit_reference
from domain.escrow.snapshot import EscrowSnapshot
from sandbox_bank.client import BankClient, BankUnavailable
from workflows.escrow_types import escrow_workflow_id

T = TypeVar("T")

TRANSIENT_STATUSES = {502, 503, 504}
TOTAL_FEN = 12_345_600
POLL_SECONDS = 1.0
LIFE = (
    "created",
    "signed",
    "funded",
    "stage 1",
    "stage 2",
    "stage 3",
    "stage 4",
    "warranty passed",
    "closed",
)


# Seen twice in CI (Temporal dev server 1.32.0): right after the server restarts, it re-delivers an
# update it has already completed; the worker's validator refuses it (its nonce is spent), the
# server rejects that answer ("invalid state transition attempted ... update.Rejection
# state=Completed") and fails the workflow task on every attempt, so the escrow answers
# `escrow_not_ready` for good. An operator resets such a workflow to its last completed task
# (`temporal workflow reset --type LastWorkflowTask`); the driver does the same after this long.
STUCK_SECONDS = 90.0
NOT_READY = "escrow_not_ready"


async def reset_stuck(temporal: Client, workflow_id: str) -> None:
    """Reset the workflow to its last completed workflow task: a new run replays the history to
    that point and goes on, the update the server kept failing on left behind."""
    history = await temporal.get_workflow_handle(workflow_id).fetch_history()
    completed = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    last = max(event.event_id for event in history.events if event.event_type == completed)
    await temporal.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=temporal.namespace,
            workflow_execution=WorkflowExecution(workflow_id=workflow_id),
            reason="chaos: its workflow task failed on every attempt after a Temporal restart",
            workflow_task_finish_event_id=last,
            request_id=str(uuid.uuid4()),
        )
    )


class Unanswered(Exception):
    """The stack did not answer within the driver's patience."""


@dataclass
class DriveStats:
    """What the drivers saw, for the progress line and the report."""

    milestones: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    recognised_landed: int = 0  # re-sent steps whose first attempt had landed
    resets: int = 0  # escrows reset past a workflow task the server failed on every attempt
    failures: dict[str, str] = field(default_factory=dict)  # escrow id (or slot) -> why its drive stopped


async def patiently(call: Callable[[], Awaitable[T]], stats: DriveStats, *, patience: float) -> T:
    """`call()` until it gets an answer other than "unavailable"; each retry is counted."""
    deadline = time.monotonic() + patience
    delay = 0.2
    while True:
        try:
            return await call()
        except (httpx.TransportError, BankUnavailable, RPCError) as exc:
            problem: Exception = exc
        except StepRefused as exc:
            if exc.status not in TRANSIENT_STATUSES:
                raise
            problem = exc
        if time.monotonic() > deadline:
            raise Unanswered(f"no answer after {patience:g} s: {problem}") from problem
        stats.retries += 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)


async def send_signed(
    party: Party,
    url: str,
    body: dict[str, Any],
    stats: DriveStats,
    patience: float,
    *,
    maybe_landed: bool = False,
) -> dict[str, Any]:
    """Post one signed step until the API answers, the very same envelope each time (see the
    module's docstring): `nonce_reused` after an attempt that may have landed means it did."""

    async def attempt() -> dict[str, Any]:
        nonlocal maybe_landed
        try:
            return raise_for_error(await party.http.post(url, json=body))
        except StepRefused as refusal:
            if refusal.code == "nonce_reused" and maybe_landed:
                stats.recognised_landed += 1
                return {"recognised": True}
            if refusal.status in TRANSIENT_STATUSES:
                maybe_landed = True
            raise
        except httpx.TransportError:
            maybe_landed = True
            raise

    return await patiently(attempt, stats, patience=patience)


class ChaosEscrow(EscrowSession):
    """One escrow's parties, with every call made safe to repeat."""

    def __init__(
        self, http: httpx.AsyncClient, bank: BankClient, council: Party, stats: DriveStats, patience: float
    ) -> None:
        super().__init__(http, bank)
        self.bank: BankClient = bank  # always given: a chaos run names its bank up front
        self.council = council
        self.stats = stats
        self.patience = patience
        self.temporal: Client | None = None  # given by `drive_one`: what resets a stuck escrow

    async def register(self, council_secret: str = "") -> "ChaosEscrow":
        """Owner, contractor and inspector only: one council member serves every escrow (it
        verifies the contractor and the inspector, and accredits the inspector)."""
        await self.owner.register()
        for business in (self.contractor, self.inspector):
            await enrol_verified(business, self.council)
        await accredit_inspector(self.council, self.inspector.id)
        return self

    async def create(self, **contract: Any) -> dict[str, Any]:
        """Every attempt carries the same Idempotency-Key: a create whose answer was lost is
        answered again with the escrow it made, and one refused with 503 starts that escrow."""
        key = uuid.uuid4().hex
        created = await patiently(
            lambda: EscrowSession.create(self, idempotency_key=key, **contract),
            self.stats,
            patience=self.patience,
        )
        self.terms_doc: dict[str, Any] = created["terms"]
        return created

    async def state(self) -> EscrowSnapshot:
        return await patiently(super().state, self.stats, patience=self.patience)

    async def step(self, party: Party, path: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The step sent until answered; an escrow that stays `escrow_not_ready` for STUCK_SECONDS
        is reset to its last completed workflow task (`reset_stuck`), and the same envelope sent
        again (it may have landed before the reset point: then `nonce_reused` says so)."""
        body = asdict(party.sign(action, self.escrow_id, payload, await self.clock()))
        url = f"/escrows/{self.escrow_id}{path}"
        try:
            return await send_signed(party, url, body, self.stats, min(STUCK_SECONDS, self.patience))
        except Unanswered as unanswered:
            stuck = self.temporal is not None and NOT_READY in str(unanswered)
        if stuck and (temporal := self.temporal) is not None:
            workflow_id = escrow_workflow_id(self.escrow_id)
            await patiently(lambda: reset_stuck(temporal, workflow_id), self.stats, patience=self.patience)
            self.stats.resets += 1
        return await send_signed(party, url, body, self.stats, self.patience, maybe_landed=True)

    async def wait_for(self, predicate: Callable[[EscrowSnapshot], bool], what: str) -> EscrowSnapshot:
        """Like the session's, but at most one read a second: every read is a query a worker answers,
        and 200 escrows polling every 50 ms would keep the workers busy answering them."""
        deadline = time.monotonic() + self.patience
        while not predicate(state := await self.state()):
            if time.monotonic() > deadline:
                raise Unanswered(f"{what} did not happen within {self.patience:g} s; last seen {state}")
            await asyncio.sleep(POLL_SECONDS)
        return state

    async def deposit(self, amount_fen: int) -> None:
        await patiently(
            lambda: self.bank.deposit(
                self.escrow_id,
                amount_fen=amount_fen,
                payer=self.owner.id,
                reference=deposit_reference(self.escrow_id),
                idempotency_key=f"{self.escrow_id}:deposit-1",
            ),
            self.stats,
            patience=self.patience,
        )
        await self.wait_for(lambda s: s.ledger.deposited_fen == amount_fen, "the deposit")

    async def pass_warranty(self, temporal: Client) -> EscrowSnapshot:
        """Fast-forward this escrow's clock past its warranty, then wait until it has closed."""
        state = await self.settled()
        handle = temporal.get_workflow_handle(escrow_workflow_id(self.escrow_id))
        skipper = TimeSkipper(temporal)
        warranty_days = self.terms_doc["durations"]["warranty_days"]
        if state.phase == "warranty":
            # Repeating a fast-forward whose first call did land only moves a clock with no timer left.
            await patiently(
                lambda: asyncio.wait_for(
                    skipper.fast_forward(handle, timedelta(days=warranty_days, minutes=1)), self.patience
                ),
                self.stats,
                patience=self.patience,
            )
        self.stats.milestones["warranty passed"] += 1
        return await self.wait_for(
            lambda s: s.phase == "closed" and s.ledger.pending_fen == 0, "the escrow to close"
        )


async def drive_one(
    escrow: ChaosEscrow, temporal: Client, stats: DriveStats, started: Callable[[str], None]
) -> None:
    """One escrow from draft to closed: sign, fund, four stages inspected and accepted, warranty."""
    escrow.temporal = temporal
    created = await escrow.create(total_fen=TOTAL_FEN)
    started(escrow.escrow_id)
    stats.milestones["created"] += 1
    await escrow.sign_contract()
    stats.milestones["signed"] += 1
    terms = created["terms"]
    await escrow.deposit(sum(s["amount_fen"] for s in terms["stages"]) + terms["retention_fen"])
    stats.milestones["funded"] += 1
    for stage in range(1, len(terms["stages"]) + 1):
        await escrow.pass_stage(stage)
        stats.milestones[f"stage {stage}"] += 1
    await escrow.pass_warranty(temporal)
    stats.milestones["closed"] += 1


async def drive_all(
    escrows: list[ChaosEscrow], temporal: Client, stats: DriveStats, *, stagger_seconds: float
) -> list[str]:
    """Drive every escrow concurrently; the ids created (an escrow whose drive failed is still listed)."""
    ids: list[str] = []

    async def one(n: int, escrow: ChaosEscrow) -> None:
        await asyncio.sleep(n * stagger_seconds)
        try:
            await drive_one(escrow, temporal, stats, ids.append)
        except (Unanswered, StepRefused, TimeoutError, httpx.HTTPError) as exc:
            stats.failures[escrow.escrow_id or f"slot-{n}"] = f"{type(exc).__name__}: {exc}"

    await asyncio.gather(*(one(n, escrow) for n, escrow in enumerate(escrows)))
    return ids
