"""A deposit webhook is believed only once the bank's own books say the same.

The HMAC proves only that the body was signed with the webhook secret. Whoever holds
that secret (a leaked .env, a careless operator) could otherwise make an escrow record
any amount for any transaction id: an amount the bank never holds, or one so large
it wedged the read model. So before an escrow records a deposit, the API fetches the
transaction from the bank by its id and requires the same escrow account, the same
amount and a deposit. A webhook the bank does not back is refused and the council is
alerted, since a valid signature on a false event means the secret is in other hands.

The transfer's reference is not compared: money is matched by the escrow's own account, so
a deposit into that account quoting another reference than the escrow's (`domain/deposit_reference.py`),
or none, is still the escrow's money and is recorded (refusing it would leave money at the bank on
no ledger); the bank keeps the reference as quoted, and the money statement shows it.

A bank that cannot be asked is a 503: the bank's outbox redelivers the event until it
is acknowledged, so a true deposit is recorded once the bank answers again.
"""

import logging
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlmodel import Session

from api.errors import ApiError
from config.settings import Settings
from db import crud
from domain.alert_codes import AlertCode, AlertParams
from sandbox_bank.client import BankClient, BankError, BankMovement, BankRejected
from sandbox_bank.schemas import ESCROW_ACCOUNT_PATTERN, TX_ID_PATTERN
from workflows.escrow_types import DepositConfirmation

log = logging.getLogger("api")

DEPOSIT = "deposit"  # the bank's movement kind
# A body's shape only: the bank's books bound the amount, since it must equal theirs.
MAX_WEBHOOK_FEN = 2**63 - 1


class BankEvent(BaseModel):
    """The fields of the bank's event the API acts on; the bank may send more."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Annotated[str, StringConstraints(max_length=64)]
    account_id: Annotated[str, StringConstraints(pattern=ESCROW_ACCOUNT_PATTERN)]
    tx_id: Annotated[str, StringConstraints(pattern=TX_ID_PATTERN)]
    amount_fen: Annotated[int, Field(strict=True, gt=0, le=MAX_WEBHOOK_FEN)]


def parse_event(body: bytes) -> BankEvent:
    """pydantic's own JSON parser: a body too deep, not JSON or of the wrong types is a 422, never a 500."""
    try:
        return BankEvent.model_validate_json(body)
    except ValidationError as exc:
        where = ", ".join(".".join(map(str, error["loc"])) or "body" for error in exc.errors())
        raise ApiError(
            422,
            "bad_webhook_body",
            f"the event needs type, account_id, tx_id and a positive integer amount_fen (wrong: {where})",
        ) from None


async def bank_confirmed_deposit(
    event: BankEvent, *, settings: Settings, session: Session
) -> DepositConfirmation:
    """The deposit to record, once the bank holds that very transaction; otherwise refused and alerted."""
    try:
        async with BankClient.from_settings(settings) as bank:
            booked = await bank.transaction(event.tx_id)
    except BankRejected as exc:
        if exc.status != 404:
            raise bank_unavailable(exc) from None
        raise refused(
            session,
            event,
            422,
            "unknown_bank_transaction",
            f"the bank has no transaction {event.tx_id}",
        ) from None
    except BankError as exc:
        raise bank_unavailable(exc) from None
    differences = differences_from(event, booked)
    if differences:
        raise refused(
            session,
            event,
            409,
            "bank_transaction_mismatch",
            f"the bank's transaction {event.tx_id} differs: {'; '.join(differences)}",
        )
    return DepositConfirmation(booked.tx_id, booked.amount_fen)


def differences_from(event: BankEvent, booked: BankMovement) -> list[str]:
    """What the webhook claims that the bank's books do not say."""
    found = []
    if booked.account_id != event.account_id:
        found.append(f"account {booked.account_id} at the bank, {event.account_id} in the webhook")
    if booked.amount_fen != event.amount_fen:
        found.append(f"{booked.amount_fen} fen at the bank, {event.amount_fen} fen in the webhook")
    if booked.kind != DEPOSIT:
        found.append(f"a {booked.kind} at the bank, not a deposit")
    return found


def refused(session: Session, event: BankEvent, status: int, code: str, why: str) -> ApiError:
    """Alert the council once per claim (a redelivery of the same claim raises nothing new)."""
    crud.raise_alert(
        session=session,
        subject_id=event.account_id,
        code=AlertCode.DEPOSIT_WEBHOOK_REFUSED,
        params=deposit_params(event, code, why),
        business_key=f"{AlertCode.DEPOSIT_WEBHOOK_REFUSED}:{event.account_id}:{event.tx_id}:{event.amount_fen}",
    )
    return ApiError(status, code, f"{why}; the deposit is not recorded")


def deposit_params(event: BankEvent, refusal: str, detail: str) -> AlertParams:
    """What a deposit alert says: the claimed deposit, the refusal's code and its detail."""
    return {
        "amount_fen": str(event.amount_fen),
        "account_id": event.account_id,
        "tx_id": event.tx_id,
        "refusal": refusal,
        "detail": detail,
    }


def escrow_refused(session: Session, event: BankEvent, exc: ApiError) -> ApiError:
    """The bank holds the money but the escrow would not record it (e.g. `deposit_out_of_range`):
    money nobody's ledger shows, so the council hears of it once per transaction."""
    crud.raise_alert(
        session=session,
        subject_id=event.account_id,
        code=AlertCode.DEPOSIT_NOT_RECORDED,
        params=deposit_params(event, exc.code, exc.message),
        business_key=f"{AlertCode.DEPOSIT_NOT_RECORDED}:{event.account_id}:{event.tx_id}",
    )
    return exc


def bank_unavailable(exc: BankError) -> ApiError:
    """A 5xx, so the bank's outbox delivers the event again later."""
    log.warning("deposit webhook not checked, the bank did not answer: %s", exc)
    return ApiError(503, "bank_unavailable", "the bank could not be asked about the transaction; try again")
