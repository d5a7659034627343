"""What bank staff read: deposits the platform has not yet acknowledged, and the journal.

A deposit is "awaiting confirmation" while its `deposit.confirmed` webhook sits undelivered
in the outbox: the money is on the escrow account but the escrow does not know yet (the API
is down, or the account belongs to no escrow). Amounts are read from the escrow side of each
transaction, so every movement counts once although it has two journal lines.
"""

import json

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from sandbox_bank.models import Account, AccountKind, JournalLine, JournalTransaction, OutboxEvent
from sandbox_bank.schemas import JournalEntryOut, JournalOut, UnconfirmedDepositOut
from sandbox_bank.webhooks import DEPOSIT_CONFIRMED


def unconfirmed_deposits(engine: Engine) -> list[UnconfirmedDepositOut]:
    """Oldest first: the longest wait is the first thing staff should chase."""
    with Session(engine) as session:
        events = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == DEPOSIT_CONFIRMED, col(OutboxEvent.delivered_at).is_(None))
            .order_by(col(OutboxEvent.created_at), col(OutboxEvent.event_id))
        ).all()
    deposits = []
    for event in events:
        payload = json.loads(event.payload)
        deposits.append(
            UnconfirmedDepositOut(
                event_id=event.event_id,
                account_id=payload["account_id"],
                tx_id=payload["tx_id"],
                amount_fen=payload["amount_fen"],
                reference=payload["reference"],
                deposited_at=event.created_at,
                attempts=event.attempts,
                last_error=event.last_error,
                next_attempt_at=event.next_attempt_at,
            )
        )
    return deposits


def journal(engine: Engine, limit: int) -> JournalOut:
    """Totals per kind over the whole ledger, and the newest `limit` movements."""
    escrow_side = (
        select(JournalTransaction, JournalLine.account_id, JournalLine.amount_fen)
        .join(JournalLine, col(JournalLine.tx_id) == col(JournalTransaction.tx_id))
        .join(Account, col(Account.account_id) == col(JournalLine.account_id))
        .where(Account.kind == AccountKind.ESCROW)
    )
    with Session(engine) as session:
        totals_query = (
            select(JournalTransaction.kind, func.sum(JournalLine.amount_fen))
            .join(JournalLine, col(JournalLine.tx_id) == col(JournalTransaction.tx_id))
            .join(Account, col(Account.account_id) == col(JournalLine.account_id))
            .where(Account.kind == AccountKind.ESCROW)
            .group_by(JournalTransaction.kind)
        )
        totals = {kind: abs(int(total)) for kind, total in session.exec(totals_query).all()}
        newest = session.exec(
            escrow_side.order_by(
                col(JournalTransaction.created_at).desc(), col(JournalTransaction.tx_id).desc()
            ).limit(limit)
        ).all()
    entries = [
        JournalEntryOut(
            tx_id=tx.tx_id,
            account_id=account_id,
            kind=tx.kind,
            amount_fen=abs(amount),
            reference=tx.reference,
            idempotency_key=tx.idempotency_key,
            created_at=tx.created_at,
        )
        for tx, account_id, amount in newest
    ]
    held = totals.get("deposit", 0) - totals.get("payout", 0) - totals.get("refund", 0)
    return JournalOut(totals_fen=totals, held_fen=held, entries=entries)
