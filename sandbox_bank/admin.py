"""Operator switches and staff reports, behind a shared admin token."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from sandbox_bank import reports
from sandbox_bank.errors import BankError
from sandbox_bank.schemas import Faults, JournalOut, UnconfirmedDepositOut
from sandbox_bank.state import BankState, bank_state

State = Annotated[BankState, Depends(bank_state)]


def require_admin(state: State, token: Annotated[str | None, Header(alias="X-Admin-Token")] = None) -> None:
    expected = state.settings.bank_admin_token.get_secret_value()
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise BankError(403, "forbidden", "A valid X-Admin-Token header is required.")


router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@router.get("/faults", response_model=Faults)
def get_faults(state: State) -> Faults:
    return state.faults.faults


@router.put("/faults", response_model=Faults)
def put_faults(faults: Faults, state: State) -> Faults:
    """Replaces every switch; a fresh seed restarts the reproducible sequence."""
    state.faults.configure(faults)
    return faults


@router.get("/deposits/unconfirmed", response_model=list[UnconfirmedDepositOut])
def get_unconfirmed_deposits(state: State) -> list[UnconfirmedDepositOut]:
    return reports.unconfirmed_deposits(state.engine)


@router.get("/journal", response_model=JournalOut)
def get_journal(state: State, limit: int = Query(100, ge=1, le=1000)) -> JournalOut:
    return reports.journal(state.engine, limit)
