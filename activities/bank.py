"""Bank activities: every movement goes out over HTTP with its business idempotency key.

A timeout or a 5xx leaves the outcome unknown, so the activity fails and Temporal
retries it with the same key; the bank answers a repeated key with the first
result, so nothing is paid twice. A 4xx is the bank saying no: that is typed
`BankRejected` and never retried.
"""

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.types import MovementInput, MovementReceipt, OpenAccountInput
from sandbox_bank.client import BankClient, BankRejected


class BankActivities:
    def __init__(self, bank: BankClient) -> None:
        self._bank = bank

    @activity.defn
    async def open_account(self, input: OpenAccountInput) -> None:
        try:
            await self._bank.open_account(input.escrow_id)
        except BankRejected as exc:
            raise ApplicationError(exc.message, type="BankRejected", non_retryable=True) from exc

    @activity.defn
    async def execute_movement(self, input: MovementInput) -> MovementReceipt:
        move = self._bank.payout if input.kind == "payout" else self._bank.refund
        try:
            result = await move(
                input.escrow_id,
                amount_fen=input.amount_fen,
                beneficiary=input.beneficiary,
                reference=input.reference,
                idempotency_key=input.idempotency_key,
            )
        except BankRejected as exc:
            raise ApplicationError(
                f"{exc.code}: {exc.message}", type="BankRejected", non_retryable=True
            ) from exc
        return MovementReceipt(tx_id=result.tx_id)
