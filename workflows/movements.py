"""Carrying out the bank movements a machine instructs, one at a time, under their business keys:
the escrow's and the fund's alike (workflows/escrow.py, workflows/fund.py).

A bank that refuses (a 4xx: `BankRejected`) is told to the machine, which keeps the money and alerts
the council; anything else is retried by Temporal until the outcome is known (workflows/activity_policies.py).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.bank import BankActivities
    from activities.types import MovementInput
    from workflows.activity_policies import MONEY


class Instructed(Protocol):
    key: str


M = TypeVar("M", bound=Instructed)


class Moves(Protocol[M]):
    def pending_movements(self) -> list[M]: ...

    def movement_done(self, key: str, tx_id: str) -> None: ...

    def movement_failed(self, key: str, error: str, now: datetime) -> None: ...


async def settle_movements(machine: Moves[M], instruct: Callable[[M], MovementInput]) -> None:
    """Every pending movement sent to the bank, first instructed first, until none is pending."""
    while pending := machine.pending_movements():
        movement = pending[0]
        try:
            receipt = await workflow.execute_activity_method(
                BankActivities.execute_movement, instruct(movement), **MONEY
            )
        except ActivityError as exc:
            cause = exc.cause
            if not isinstance(cause, ApplicationError) or cause.type != "BankRejected":
                raise
            machine.movement_failed(movement.key, cause.message, workflow.now())
            continue
        machine.movement_done(movement.key, receipt.tx_id)
