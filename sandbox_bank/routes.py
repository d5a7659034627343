"""Accounts, money movements and reads: the part of the API a bank customer sees."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from sandbox_bank import ledger
from sandbox_bank.errors import BankError
from sandbox_bank.idempotency import fingerprint
from sandbox_bank.models import MovementKind
from sandbox_bank.schemas import (
    ANY_ACCOUNT_PATTERN,
    ESCROW_ACCOUNT_PATTERN,
    TX_ID_PATTERN,
    AccountIn,
    AccountOut,
    BalanceOut,
    DepositIn,
    LedgerCheckOut,
    MovementOut,
    PayoutIn,
    StatementOut,
)
from sandbox_bank.state import BankState, bank_state

router = APIRouter()

State = Annotated[BankState, Depends(bank_state)]
EscrowAccount = Annotated[str, Path(pattern=ESCROW_ACCOUNT_PATTERN)]
AnyAccount = Annotated[str, Path(pattern=ANY_ACCOUNT_PATTERN)]
TxId = Annotated[str, Path(pattern=TX_ID_PATTERN)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@router.get("/health")
def health(state: State) -> dict[str, str]:
    """Asks the database, so "ok" means money can actually move."""
    with state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def open_account(body: AccountIn, state: State) -> JSONResponse:
    """Opening is naturally idempotent, so an Idempotency-Key is accepted but not needed."""
    account, created = await run_in_threadpool(ledger.open_account, state.engine, body.account_id)
    return JSONResponse(account.model_dump(), status_code=201 if created else 200)


@router.post("/accounts/{account_id}/deposits", status_code=201, response_model=MovementOut)
async def deposit(
    account_id: EscrowAccount, body: DepositIn, state: State, key: IdempotencyKey = None
) -> Response:
    return await _move(state, MovementKind.DEPOSIT, account_id, body, body.payer, key)


@router.post("/accounts/{account_id}/payouts", status_code=201, response_model=MovementOut)
async def payout(
    account_id: EscrowAccount, body: PayoutIn, state: State, key: IdempotencyKey = None
) -> Response:
    """Money to the contractor."""
    return await _move(state, MovementKind.PAYOUT, account_id, body, body.beneficiary, key)


@router.post("/accounts/{account_id}/refunds", status_code=201, response_model=MovementOut)
async def refund(
    account_id: EscrowAccount, body: PayoutIn, state: State, key: IdempotencyKey = None
) -> Response:
    """Money back to the owner."""
    return await _move(state, MovementKind.REFUND, account_id, body, body.beneficiary, key)


@router.get("/accounts/{account_id}", response_model=BalanceOut)
def get_balance(account_id: AnyAccount, state: State) -> BalanceOut:
    return ledger.balance(state.engine, account_id)


@router.get("/accounts/{account_id}/statement", response_model=StatementOut)
def get_statement(account_id: AnyAccount, state: State) -> StatementOut:
    return ledger.statement(state.engine, account_id)


@router.get("/transactions/{tx_id}", response_model=MovementOut)
def get_transaction(tx_id: TxId, state: State) -> MovementOut:
    """One movement by its id, as the account holder reads it: how the platform checks a
    deposit webhook against the bank's books before an escrow records it.

    Decision: this is the account holder's read, beside the statement and the balance, not a
    staff report behind the admin token. The platform reads its own escrow accounts' movements,
    which a real bank serves to the account holder under its customer API credential, and the
    sandbox's customer API (like a provider's test mode here) asks for none. The admin token is
    the bank operator's: it flips fault switches and reads every account's journal, and a real
    bank never hands it to a customer, so the money path must not depend on it. The check's
    strength is not in this read's credential anyway: it is that the platform asks the bank it
    is configured with, over its own connection, instead of believing the webhook's body.
    """
    return ledger.transaction(state.engine, tx_id)


@router.get("/admin/ledger/check", response_model=LedgerCheckOut)
def check_ledger(state: State) -> LedgerCheckOut:
    return ledger.check(state.engine)


async def _move(
    state: BankState,
    kind: MovementKind,
    account_id: str,
    body: DepositIn | PayoutIn,
    counterparty: str,
    key: str | None,
) -> Response:
    if key is None or not key.strip():
        raise BankError(400, "idempotency_key_required", "Money movements need an Idempotency-Key header.")
    path = f"/accounts/{account_id}/{kind}s"
    movement = ledger.Movement(
        kind=kind,
        account_id=account_id,
        amount_fen=body.amount_fen,
        counterparty=counterparty,
        reference=body.reference,
        idempotency_key=key,
        fingerprint=fingerprint("POST", path, body.model_dump(mode="json")),
    )
    stored = await run_in_threadpool(ledger.record_movement, state.engine, movement)
    if not stored.replayed and kind is MovementKind.DEPOSIT:
        state.outbox_wakeup.set()
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else {}
    return Response(stored.body, stored.status_code, headers=headers, media_type="application/json")
