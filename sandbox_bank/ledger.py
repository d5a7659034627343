"""Money movements on the double-entry ledger, each in one database transaction.

Every movement writes a transaction with two lines that sum to zero: the escrow
account against one external account. The escrow account's row is locked first
(SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) so two payouts
cannot both see the same balance and overdraw it.

Only completed movements are kept as idempotent answers. A refusal (unknown
account, insufficient funds) is not: once its cause is fixed, the same
instruction with the same key may go through.
"""

from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from sandbox_bank import outbox
from sandbox_bank.errors import BankError
from sandbox_bank.idempotency import StoredResponse, canonical_json, replay
from sandbox_bank.models import (
    COUNTER_ACCOUNT,
    Account,
    AccountKind,
    IdempotencyRecord,
    JournalLine,
    JournalTransaction,
    MovementKind,
    utcnow,
)
from sandbox_bank.schemas import (
    AccountOut,
    BalanceOut,
    LedgerCheckOut,
    MovementOut,
    StatementEntryOut,
    StatementOut,
)
from sandbox_bank.webhooks import DEPOSIT_CONFIRMED


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    account_id: str
    amount_fen: int
    counterparty: str
    reference: str
    idempotency_key: str
    fingerprint: str


def account_not_found(account_id: str) -> BankError:
    return BankError(404, "account_not_found", f"No account {account_id!r} exists.")


def open_account(engine: Engine, account_id: str) -> tuple[AccountOut, bool]:
    """Returns the account and whether this call created it."""
    try:
        with Session(engine) as session, session.begin():
            if session.get(Account, account_id) is None:
                session.add(Account(account_id=account_id, kind=AccountKind.ESCROW, created_at=utcnow()))
                return AccountOut(account_id=account_id, balance_fen=0), True
            return AccountOut(account_id=account_id, balance_fen=_sum(session, account_id)), False
    except IntegrityError:
        # A concurrent request created it between our read and our insert.
        return open_account(engine, account_id)


def record_movement(engine: Engine, movement: Movement) -> StoredResponse:
    try:
        with Session(engine) as session, session.begin():
            record = session.get(IdempotencyRecord, movement.idempotency_key)
            if record is not None:
                return replay(record, movement.fingerprint)
            return _move(session, movement)
    except IntegrityError:
        # A concurrent duplicate committed first: its answer is ours.
        with Session(engine) as session:
            record = session.get(IdempotencyRecord, movement.idempotency_key)
            if record is None:
                raise
            return replay(record, movement.fingerprint)


def _move(session: Session, movement: Movement) -> StoredResponse:
    locked = select(Account).where(
        Account.account_id == movement.account_id, Account.kind == AccountKind.ESCROW
    )
    if session.exec(locked.with_for_update()).first() is None:
        raise account_not_found(movement.account_id)
    sign = 1 if movement.kind is MovementKind.DEPOSIT else -1
    if sign < 0 and _sum(session, movement.account_id) < movement.amount_fen:
        raise BankError(
            409,
            "insufficient_funds",
            f"Account {movement.account_id!r} holds less than {movement.amount_fen} fen.",
        )
    now = utcnow()
    tx = JournalTransaction(
        tx_id=f"tx_{uuid4().hex}",
        kind=movement.kind,
        counterparty=movement.counterparty,
        reference=movement.reference,
        idempotency_key=movement.idempotency_key,
        created_at=now,
    )
    session.add(tx)
    session.flush()  # the lines reference the transaction row
    session.add_all(
        [
            JournalLine(
                tx_id=tx.tx_id, account_id=movement.account_id, amount_fen=sign * movement.amount_fen
            ),
            JournalLine(
                tx_id=tx.tx_id,
                account_id=COUNTER_ACCOUNT[movement.kind],
                amount_fen=-sign * movement.amount_fen,
            ),
        ]
    )
    out = MovementOut(
        tx_id=tx.tx_id,
        account_id=movement.account_id,
        kind=movement.kind,
        amount_fen=movement.amount_fen,
        reference=movement.reference,
        idempotency_key=movement.idempotency_key,
        created_at=now,
    ).model_dump(mode="json")
    body = canonical_json(out)
    session.add(
        IdempotencyRecord(
            key=movement.idempotency_key,
            fingerprint=movement.fingerprint,
            status_code=201,
            response_body=body,
            created_at=now,
        )
    )
    if movement.kind is MovementKind.DEPOSIT:
        fields = ("account_id", "tx_id", "amount_fen", "reference", "created_at")
        outbox.enqueue(session, DEPOSIT_CONFIRMED, {k: out[k] for k in fields})
    return StoredResponse(201, body, replayed=False)


def transaction(engine: Engine, tx_id: str) -> MovementOut:
    """One movement as its escrow account's statement shows it (the escrow side of its two lines)."""
    with Session(engine) as session:
        query = (
            select(JournalTransaction, JournalLine)
            .join(JournalLine, col(JournalLine.tx_id) == col(JournalTransaction.tx_id))
            .join(Account, col(Account.account_id) == col(JournalLine.account_id))
            .where(JournalTransaction.tx_id == tx_id, Account.kind == AccountKind.ESCROW)
        )
        found = session.exec(query).first()
    if found is None:
        raise BankError(404, "transaction_not_found", f"No transaction {tx_id!r} exists.")
    tx, line = found
    return MovementOut(
        tx_id=tx.tx_id,
        account_id=line.account_id,
        kind=tx.kind,
        amount_fen=abs(line.amount_fen),
        reference=tx.reference,
        idempotency_key=tx.idempotency_key,
        created_at=tx.created_at,
    )


def balance(engine: Engine, account_id: str) -> BalanceOut:
    with Session(engine) as session:
        if session.get(Account, account_id) is None:
            raise account_not_found(account_id)
        query = (
            select(JournalTransaction.kind, func.sum(JournalLine.amount_fen))
            .join(JournalLine, col(JournalLine.tx_id) == col(JournalTransaction.tx_id))
            .where(JournalLine.account_id == account_id)
            .group_by(JournalTransaction.kind)
        )
        by_kind = {kind: int(total) for kind, total in session.exec(query).all()}
    return BalanceOut(
        account_id=account_id,
        balance_fen=sum(by_kind.values()),
        deposited_fen=by_kind.get(MovementKind.DEPOSIT, 0),
        paid_out_fen=-by_kind.get(MovementKind.PAYOUT, 0),
        refunded_fen=-by_kind.get(MovementKind.REFUND, 0),
    )


def statement(engine: Engine, account_id: str) -> StatementOut:
    with Session(engine) as session:
        if session.get(Account, account_id) is None:
            raise account_not_found(account_id)
        query = (
            select(JournalLine.amount_fen, JournalTransaction)
            .join(JournalTransaction, col(JournalLine.tx_id) == col(JournalTransaction.tx_id))
            .where(JournalLine.account_id == account_id)
            .order_by(col(JournalLine.line_id))
        )
        running = 0
        entries = []
        for amount, tx in session.exec(query).all():
            running += amount
            entries.append(
                StatementEntryOut(
                    tx_id=tx.tx_id,
                    kind=tx.kind,
                    amount_fen=abs(amount),
                    idempotency_key=tx.idempotency_key,
                    reference=tx.reference,
                    created_at=tx.created_at,
                    balance_after_fen=running,
                )
            )
    return StatementOut(account_id=account_id, entries=entries)


def check(engine: Engine) -> LedgerCheckOut:
    """Every transaction needs at least two lines summing to zero."""
    with Session(engine) as session:
        per_tx = (
            select(
                JournalTransaction.tx_id,
                func.coalesce(func.sum(JournalLine.amount_fen), 0).label("total"),
                func.count(col(JournalLine.line_id)).label("lines"),
            )
            .join(JournalLine, col(JournalLine.tx_id) == col(JournalTransaction.tx_id), isouter=True)
            .group_by(JournalTransaction.tx_id)
            .subquery()
        )
        transactions = session.exec(select(func.count()).select_from(per_tx)).one()
        unbalanced = session.exec(
            select(func.count()).select_from(per_tx).where((per_tx.c.total != 0) | (per_tx.c.lines < 2))
        ).one()
        total = int(session.exec(select(func.coalesce(func.sum(JournalLine.amount_fen), 0))).one())
    return LedgerCheckOut(balanced=unbalanced == 0 and total == 0, transactions=transactions, sum_fen=total)


def _sum(session: Session, account_id: str) -> int:
    query = select(func.coalesce(func.sum(JournalLine.amount_fen), 0)).where(
        JournalLine.account_id == account_id
    )
    return int(session.exec(query).one())
