"""The parties of one escrow acting together over HTTP: the demo's and the tests' script.

Each party signs with its own key in this process; only signed envelopes and
public keys go to the API. Deposits go to the bank, as an owner's transfer
would; the bank confirms them to the API by its signed webhook. A session that
knows only the API learns the bank from the escrow's deposit instructions
(`bank_from_api`).
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import httpx

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from client.party import Party, Upload
from client.server_clock import server_clock
from domain.deposit_reference import deposit_reference
from domain.escrow import steps
from domain.escrow.machine import change_plan_hash
from domain.escrow.snapshot import EscrowSnapshot
from domain.steps.spec import StepSpec
from sandbox_bank.client import BankClient, BankRejected

Clock = Callable[[], Awaitable[datetime]]
T = TypeVar("T")


def server_time(http: httpx.AsyncClient) -> Clock:
    """The clock in real use: the server's time as learned from `http`'s answers, so a machine
    whose own clock is wrong still signs in time (client/server_clock.py)."""
    clock = server_clock(http)

    async def now() -> datetime:
        return clock.now()

    return now


class EscrowSession:
    wait_seconds = 20.0

    def __init__(
        self, http: httpx.AsyncClient, bank: BankClient | None = None, *, clock: Clock | None = None
    ) -> None:
        self.bank = bank  # None until `bank_from_api` names it
        self.clock = clock or server_time(http)
        self.owner = Party(http, "owner", "Li Wei (owner)")
        self.contractor = Party(http, "contractor", "Guilin Jiazhuang Renovation Co.")
        self.inspector = Party(http, "inspector", "Lijiang Building Inspection")
        self.council = Party(http, "council", "Guilin Consumer Council")
        self.escrow_id = ""
        self.terms_hash = ""
        self.deposits = 0

    async def register(self, council_secret: str) -> "EscrowSession":
        """Register the four parties; the council verifies the contractor and the inspector, so
        the contract may name them."""
        await self.council.register(enrolment_secret=council_secret)
        await self.owner.register()
        for business in (self.contractor, self.inspector):
            await enrol_verified(business, self.council)
        await accredit_inspector(self.council, self.inspector.id)
        return self

    async def create(self, *, idempotency_key: str | None = None, **contract: Any) -> dict[str, Any]:
        body = {
            "title": "Flat 3-2-501 full renovation",
            "owner_id": self.owner.id,
            "contractor_id": self.contractor.id,
            "inspector_id": self.inspector.id,
            **contract,
        }
        created = await self.owner.create_contract(body, idempotency_key=idempotency_key)
        self.escrow_id = created["escrow_id"]
        self.terms_hash = created["terms_hash"]
        return created

    @contextlib.asynccontextmanager
    async def bank_from_api(self, timeout_seconds: float) -> AsyncIterator[BankClient]:
        """Use the bank the API names in this escrow's deposit instructions, for as long as the block runs."""
        instructions = await self.owner.deposit_instructions(self.escrow_id)
        async with BankClient(instructions["bank_url"], timeout_seconds) as bank:
            self.bank = bank
            try:
                yield bank
            finally:
                self.bank = None

    async def step(self, party: Party, path: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await party.step(path, action, self.escrow_id, payload, now=await self.clock())

    async def send(self, party: Party, spec: StepSpec[Any], payload: dict[str, Any]) -> dict[str, Any]:
        """A declared step (domain/escrow/steps.py), to the route its declaration names."""
        return await self.step(party, spec.route(payload), spec.action, payload)

    async def state(self) -> EscrowSnapshot:
        return await self.owner.escrow(self.escrow_id)

    async def wait_for(self, predicate: Callable[[EscrowSnapshot], bool], what: str) -> EscrowSnapshot:
        """Re-read the workflow's state until `predicate` holds (bank and webhook work is asynchronous)."""
        return await eventually(self.state, predicate, what, self.wait_seconds)

    async def settled(self) -> EscrowSnapshot:
        """Wait until every instructed bank movement has its receipt."""
        return await self.wait_for(lambda s: s.ledger.pending_fen == 0, "bank movements to settle")

    # ---------------------------------------------------------------- steps
    async def sign_contract(self) -> None:
        for party in (self.owner, self.contractor):
            await self.send(party, steps.CONTRACT_SIGN, {"terms_hash": self.terms_hash})

    async def deposit(self, amount_fen: int) -> None:
        """The owner pays into the escrow account; wait for the bank's webhook to reach the escrow."""
        self.deposits += 1
        before = (await self.state()).ledger.deposited_fen
        pay_in = partial(self._pay_in, amount_fen)
        await eventually(pay_in, bool, "the escrow's bank account to open", self.wait_seconds)
        await self.wait_for(lambda s: s.ledger.deposited_fen == before + amount_fen, "the deposit")

    async def _pay_in(self, amount_fen: int) -> bool:
        """Whether the owner's transfer was booked; False while the account does not exist yet.

        The escrow opens its account as its first act, which may not have run when a quick
        owner pays. The bank keeps no answer for a refusal, so the same key is simply sent again.
        """
        if self.bank is None:
            raise LookupError("no bank to pay into: give the session one, or use it inside `bank_from_api`")
        try:
            await self.bank.deposit(
                self.escrow_id,
                amount_fen=amount_fen,
                payer=self.owner.id,
                reference=deposit_reference(self.escrow_id),
                idempotency_key=f"{self.escrow_id}:deposit-{self.deposits}",
            )
        except BankRejected as refused:
            if refused.code != "account_not_found":
                raise
            return False
        return True

    async def request_inspection(
        self, stage: int, photos: Sequence[Upload] = (), note: str = "ready for inspection"
    ) -> list[str]:
        """The contractor uploads the stage's photos, then signs the request naming them; their digests."""
        evidence = await self.contractor.upload_files(photos)
        await self.send(
            self.contractor,
            steps.INSPECTION_REQUEST,
            {"stage": stage, "evidence": evidence, "note": note},
        )
        return evidence

    async def report(
        self,
        stage: int,
        result: str,
        defects: list[dict[str, Any]] | None = None,
        files: Sequence[Upload] = (),
    ) -> str:
        """The inspector's report; each defect's `photos` and the report's `files` are files to
        upload (bytes or paths), named by their digests once the store holds them."""
        state = await self.state()
        round_ = state.stages[stage - 1].round
        report_hash = f"sha256:report-{self.escrow_id}-{stage}-{round_}"
        payload: dict[str, Any] = {
            "stage": stage,
            "round": round_,
            "result": result,
            "report_hash": report_hash,
        }
        if defects:
            payload["defects"] = [
                defect | {"photos": await self.inspector.upload_files(defect.get("photos", []))}
                for defect in defects
            ]
        if files:
            payload["files"] = await self.inspector.upload_files(files)
        await self.send(self.inspector, steps.INSPECTION_REPORT, payload)
        return report_hash

    async def accept(self, stage: int, report_hash: str) -> None:
        amount = (await self.state()).stages[stage - 1].amount_fen
        await self.send(
            self.owner,
            steps.STAGE_ACCEPT,
            {"stage": stage, "amount_fen": amount, "report_hash": report_hash},
        )

    async def accept_partially(self, stage: int, report_hash: str, holdbacks: list[dict[str, Any]]) -> None:
        amount = (await self.state()).stages[stage - 1].amount_fen
        pay = amount - sum(h["amount_fen"] for h in holdbacks)
        await self.send(
            self.owner,
            steps.STAGE_ACCEPT_PARTIAL,
            {"stage": stage, "pay_fen": pay, "holdbacks": holdbacks, "report_hash": report_hash},
        )

    async def release_holdback(self, stage: int, items: list[str], amount_fen: int) -> None:
        await self.send(
            self.owner,
            steps.HOLDBACK_RELEASE,
            {"stage": stage, "items": items, "amount_fen": amount_fen},
        )

    async def pass_stage(self, stage: int) -> None:
        await self.request_inspection(stage)
        report_hash = await self.report(stage, "pass")
        await self.accept(stage, report_hash)

    async def raise_dispute(
        self,
        party: Party,
        stages: list[int],
        reason: str = "workmanship",
        *,
        include_retention: bool = False,
        evidence: Sequence[Upload] = (),
    ) -> int:
        payload: dict[str, Any] = {"reason": reason, "stages": stages}
        if include_retention:
            payload["include_retention"] = True
        if evidence:
            payload["evidence"] = await party.upload_files(evidence)
        await self.send(party, steps.DISPUTE_RAISE, payload)
        return len((await self.state()).disputes)

    async def decide(self, dispute: int, outcome: str, **amounts: int) -> None:
        """The council's signed final decision on a dispute."""
        payload = {
            "dispute": dispute,
            "outcome": outcome,
            "reasons": "the expert panel inspected the site",
            "decision_hash": f"sha256:decision-{self.escrow_id}-{dispute}",
            **amounts,
        }
        await self.send(self.council, steps.DISPUTE_DECIDE, payload)

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
        await self.send(party, steps.CHANGE_ORDER_SIGN, payload)

    async def sign_cancellation(self, party: Party, reason: str = "mutual cancellation") -> None:
        await self.send(party, steps.CANCEL_SIGN, {"reason": reason})

    async def claim_warranty(
        self, amount_fen: int, description: str = "bathroom leak", photos: Sequence[Upload] = ()
    ) -> int:
        payload = {
            "description": description,
            "amount_fen": amount_fen,
            "evidence": await self.owner.upload_files(photos),
        }
        await self.send(self.owner, steps.WARRANTY_CLAIM, payload)
        return len((await self.state()).claims)

    async def withdraw_claim(self, claim: int) -> None:
        await self.send(self.owner, steps.WARRANTY_WITHDRAW, {"claim": claim})


async def eventually(
    read: Callable[[], Awaitable[T]],
    predicate: Callable[[T], bool],
    what: str,
    seconds: float,
    interval: float = 0.05,
) -> T:
    """Read until `predicate` holds or `seconds` pass: for effects that arrive asynchronously."""
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}; last seen: {value}")
        await asyncio.sleep(interval)


def held_by_part(state: EscrowSnapshot) -> dict[str, int]:
    """What each part of the contract holds, from its own figures rather than the ledger's.

    A stage (or the retention) holds what it still owes plus what was instructed for it and
    the bank has not confirmed (a refused movement stays held); a decided dispute what its
    decision instructed; `returns` what goes back to the owner because the contract never
    owed it (an excess deposit, a lowered total, a cancellation).
    """
    parts = {f"stage-{stage.number}": stage.open_fen for stage in state.stages}
    parts["retention"] = state.retention.open_fen
    prefix = f"{state.escrow_id}:"
    for movement in state.movements:
        if movement.status != "done":
            part = _part_of(movement.key.removeprefix(prefix))
            parts[part] = parts.get(part, 0) + movement.amount_fen
    return parts


def _part_of(business_key: str) -> str:
    head = business_key.split(":", 1)[0]
    if head.startswith(("stage-", "dispute-")) or head == "retention":
        return head
    return "retention" if head.startswith("warranty-claim-") else "returns"


def conservation_problems(state: EscrowSnapshot, bank_balance_fen: int | None = None) -> list[str]:
    """The money rules on an escrow's state (the machine's snapshot, or the API's read back into
    one), each comparing figures kept apart.

    What the account holds by the ledger (deposits less confirmed payouts and refunds) against
    what the parts hold (`held_by_part`): never more, and exactly as much once the escrow is
    funded (unless a change order raised the total and the top-up is still awaited) or ended;
    the ledger's payouts and refunds against the movements the bank confirmed; and, given the
    bank's own balance for the account, that balance against the parts once nothing is on its
    way (a movement still pending may already be booked at the bank).
    """
    ledger, phase = state.ledger, state.phase
    in_account = ledger.deposited_fen - ledger.released_fen - ledger.refunded_fen
    parts = held_by_part(state)
    held = sum(parts.values())
    problems = []
    for kind, figure in (("payout", ledger.released_fen), ("refund", ledger.refunded_fen)):
        confirmed = sum(m.amount_fen for m in state.movements if m.kind == kind and m.status == "done")
        if confirmed != figure:
            name = "released_fen" if kind == "payout" else "refunded_fen"
            problems.append(f"{name} {figure} but the bank confirmed {kind}s of {confirmed}")
    if in_account < 0:
        problems.append(f"{-in_account} fen more paid out and refunded than deposited")
    if in_account > held:
        problems.append(f"{in_account} fen in the account but its parts hold {held}: {parts}")
    funded = phase in ("closed", "cancelled") or (
        phase in ("active", "warranty") and not state.changes_applied
    )
    if funded and in_account < held:
        problems.append(f"the parts hold {held} fen but the account only {in_account}: {parts}")
    instructed = sum(m.amount_fen for m in state.movements if m.status != "done")
    if instructed > in_account:
        problems.append(f"{instructed} fen instructed to move with {in_account} in the account")
    settled = all(m.status != "pending" for m in state.movements)
    bank_off = bank_balance_fen is not None and (
        bank_balance_fen > held or (funded and bank_balance_fen != held)
    )
    if settled and bank_off:
        problems.append(f"the bank holds {bank_balance_fen} fen for the escrow, its parts {held}: {parts}")
    return problems
