"""The escrow session of `client/` with the test stack's clock and a few test-only checks.

Signing time is the workflow's own clock, so steps stay fresh when a test has
fast-forwarded that workflow's virtual time by days or years.
"""

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from client.accreditation import accredit_inspector
from client.businesses import enrol_verified
from client.escrow_session import EscrowSession, conservation_problems, eventually
from client.party import Party, StepRefused
from db import crud
from db.models import CouncilAlert
from domain.escrow.snapshot import EscrowSnapshot
from tests.conftest import Stack
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id

COUNCIL_SECRET = "test-council-secret"


class EscrowFlow(EscrowSession):
    def __init__(self, stack: Stack) -> None:
        super().__init__(stack.http, stack.bank, clock=self.now)
        self.stack = stack

    async def register(self) -> "EscrowFlow":
        await super().register(self.stack.settings.council_enrolment_secret.get_secret_value())
        return self

    async def register_inspector(self) -> None:
        """The inspector registers with its licence, and the council verifies and accredits it, as
        a contract may name only a verified, accredited inspector: for kits that register the
        parties one by one. The council member registers first if it has not (the escrow then
        holds its key too)."""
        if not self.council.id:
            await self.council.register(enrolment_secret=COUNCIL_SECRET)
        await enrol_verified(self.inspector, self.council)
        await accredit_inspector(self.council, self.inspector.id)

    @property
    def handle(self):
        return self.stack.temporal.get_workflow_handle_for(
            EscrowWorkflow.run, escrow_workflow_id(self.escrow_id)
        )

    async def now(self) -> datetime:
        return await self.stack.skipper.get_current_time(self.handle)

    async def create_funded(self, **contract: Any) -> dict[str, Any]:
        """Draft the contract, have both sides sign it and deposit its full total."""
        created = await self.create(**contract)
        terms = created["terms"]
        await self.sign_contract()
        await self.deposit(sum(s["amount_fen"] for s in terms["stages"]) + terms["retention_fen"])
        return created

    async def in_warranty(self, **contract: Any) -> None:
        """Funded and every stage passed: the escrow waits out its warranty period."""
        await self.create_funded(**contract)
        for stage in range(1, len((await self.state()).stages) + 1):
            await self.pass_stage(stage)
        await self.wait_for(lambda s: s.phase == "warranty", "the warranty period")

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

    def council_alerts(self) -> list[CouncilAlert]:
        """The council's alerts for this escrow, as the read model holds them."""
        with Session(self.stack.engine) as session:
            return crud.list_alerts(session=session, subject_id=self.escrow_id)

    async def wait_for_alert(self, kind: str) -> CouncilAlert:
        async def alerts() -> list[CouncilAlert]:
            return [alert for alert in self.council_alerts() if alert.kind == kind]

        return (await eventually(alerts, bool, f"a {kind} alert for {self.escrow_id}", self.wait_seconds))[0]

    async def statement(self) -> dict[str, tuple[str, int]]:
        """The bank's statement for the escrow account: business key -> (kind, amount)."""
        entries = await self.stack.bank.statement(self.escrow_id)
        keys = [entry.idempotency_key for entry in entries]
        assert len(keys) == len(set(keys)), "the bank booked one business key twice"
        return {
            entry.idempotency_key.removeprefix(f"{self.escrow_id}:"): (entry.kind, entry.amount_fen)
            for entry in entries
        }


def assert_conserved(state: EscrowSnapshot, bank_balance_fen: int | None = None) -> None:
    assert conservation_problems(state, bank_balance_fen) == [], (state.ledger, bank_balance_fen)


async def assert_bank_agrees(flow: EscrowFlow) -> EscrowSnapshot:
    """Once every movement has settled, the bank's account matches the escrow's ledger, and what
    the bank holds for it is what its stages and retention hold by their own figures."""
    state = await flow.settled()
    balance = await flow.stack.bank.balance(flow.escrow_id)
    assert_conserved(state, balance.balance_fen)
    ledger = state.ledger
    assert balance.balance_fen == ledger.held_fen
    assert balance.deposited_fen == ledger.deposited_fen
    assert balance.paid_out_fen == ledger.released_fen
    assert balance.refunded_fen == ledger.refunded_fen
    return state


async def accredited_inspector(stack: Stack, inspector_id: str) -> None:
    """An inspector registered elsewhere (in a browser) accredited by a council member of its own."""
    council = await Party(stack.http, "council", "Accrediting council member").register(
        enrolment_secret=COUNCIL_SECRET
    )
    await accredit_inspector(council, inspector_id)
