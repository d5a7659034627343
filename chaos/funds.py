"""Compensation funds in the storm (docs/ADVANCE_COMPENSATION.md): some of the escrows' contractors
keep a fund, and while workers die, Temporal restarts and the bank fails, each fund is opened,
pledged, paid into, pays one consumer in advance on a council member's signature, and is repaid.

The overdue case reaches the fund by the fund workflow's own signal (`case_overdue`), with a claim
made here: a case of its own would need a drawn panel of enrolled experts deciding through weeks of
virtual time, for each fund; the way from a non-compliant case to its fund is tested end to end in
tests/test_funds.py. What the storm tests here is the fund's money: each advance paid exactly once,
each ledger agreeing with the bank's account and the read model (chaos/fund_checks.py).
"""

import asyncio
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import httpx
from temporalio.client import Client

from chaos.driver import POLL_SECONDS, ChaosEscrow, DriveStats, Unanswered, patiently, send_signed
from client.funds import open_fund, pay_in, read_fund
from client.party import Party, StepRefused
from domain.fund.snapshot import FundSnapshot
from domain.fund.steps import FUND_RULES
from domain.fund.terms import AdvanceClaim
from sandbox_bank.client import BankRejected
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id

PLEDGE_FEN = 1_000_000  # the default minimum pledge (ESCROW_FUND_MINIMUM_PLEDGE_FEN)
ADVANCE_FEN = 300_000
FUND_LIFE = ("fund opened", "fund pledged", "fund paid into", "advance paid", "fund repaid")


class ChaosFund:
    """One fund: the escrow's contractor keeps it, its owner is the consumer paid in advance."""

    def __init__(self, escrow: ChaosEscrow, temporal: Client) -> None:
        self.business, self.consumer, self.council = escrow.contractor, escrow.owner, escrow.council
        self.bank, self.stats, self.patience = escrow.bank, escrow.stats, escrow.patience
        self.temporal = temporal
        self.fund_id = ""

    async def drive(self, started: Any) -> None:
        self.fund_id = await patiently(lambda: open_fund(self.business), self.stats, patience=self.patience)
        started(self.fund_id)
        self._reached("fund opened")
        await self._step(self.business, "fund.pledge", {"amount_fen": PLEDGE_FEN})
        self._reached("fund pledged")
        await self._pay_in(PLEDGE_FEN, "deposit-1")
        await self.wait_for(lambda f: f.ledger.deposited_fen == PLEDGE_FEN, "the pledge paid in")
        self._reached("fund paid into")
        claim = AdvanceClaim(
            f"CASE-CHAOS-{self.business.id}",
            f"chaos-decision-{self.fund_id}",
            self.consumer.id,
            self.business.id,
            ADVANCE_FEN,
            datetime.now(UTC),
        )
        handle = self.temporal.get_workflow_handle_for(FundWorkflow.run, fund_workflow_id(self.fund_id))
        await patiently(
            lambda: handle.signal(FundWorkflow.case_overdue, claim), self.stats, patience=self.patience
        )
        await self.wait_for(lambda f: bool(f.claims), "the overdue case to reach the fund")
        advance = {"case_id": claim.case_id, "decision_hash": claim.decision_hash, "amount_fen": ADVANCE_FEN}
        await self._step(self.council, "fund.advance", advance)
        await self.wait_for(lambda f: f.ledger.owed_fen == ADVANCE_FEN, "the advance to be paid")
        self._reached("advance paid")
        await self._pay_in(ADVANCE_FEN, "deposit-2")
        await self.wait_for(
            lambda f: f.ledger.owed_fen == 0 and f.ledger.held_fen == PLEDGE_FEN, "the fund to be repaid"
        )
        self._reached("fund repaid")

    def _reached(self, milestone: str) -> None:
        self.stats.milestones[milestone] += 1

    async def _step(self, signer: Party, action: str, payload: dict[str, Any]) -> None:
        body = asdict(signer.sign(action, self.fund_id, payload))
        url = f"/funds/{self.fund_id}{FUND_RULES[action].route(payload)}"
        await send_signed(signer, url, body, self.stats, self.patience)

    async def _pay_in(self, amount_fen: int, key: str) -> None:
        """The business's transfer, the same key on every try; the fund opens its account as its
        first act, which may not have run yet."""
        deadline = time.monotonic() + self.patience
        while True:
            try:
                await patiently(
                    lambda: pay_in(
                        self.bank, self.fund_id, self.business.id, amount_fen, f"{self.fund_id}:{key}"
                    ),
                    self.stats,
                    patience=self.patience,
                )
                return
            except BankRejected as refused:
                if refused.code != "account_not_found" or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(POLL_SECONDS)

    async def wait_for(self, done: Any, what: str) -> FundSnapshot:
        deadline = time.monotonic() + self.patience
        while not done(fund := await self._read()):
            if time.monotonic() > deadline:
                raise Unanswered(f"{what} did not happen within {self.patience:g} s; last seen {fund.ledger}")
            await asyncio.sleep(POLL_SECONDS)
        return fund

    async def _read(self) -> FundSnapshot:
        return await patiently(
            lambda: read_fund(self.business, self.fund_id), self.stats, patience=self.patience
        )


async def drive_funds(funds: list[ChaosFund], stats: DriveStats) -> list[str]:
    """Drive every fund concurrently; the ids opened (a fund whose drive failed is still listed)."""
    ids: list[str] = []

    async def one(n: int, fund: ChaosFund) -> None:
        try:
            await fund.drive(ids.append)
        except (Unanswered, StepRefused, TimeoutError, httpx.HTTPError, BankRejected) as exc:
            stats.failures[fund.fund_id or f"fund-slot-{n}"] = f"{type(exc).__name__}: {exc}"

    await asyncio.gather(*(one(n, fund) for n, fund in enumerate(funds)))
    return ids
