"""What the request handlers share, hung on `app.state` by `create_app`."""

import asyncio
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine

from config.settings import Settings
from sandbox_bank.faults import FaultInjector


@dataclass
class BankState:
    settings: Settings
    engine: Engine
    faults: FaultInjector
    outbox_wakeup: asyncio.Event


def bank_state(request: Request) -> BankState:
    state: BankState = request.app.state.bank
    return state
