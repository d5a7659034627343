"""Escrow accounts' statements as the bank tells them, for the escrow page and the money
statements (web/statement_pages.py): an account the bank does not answer for is None, and the
page says so rather than failing."""

import asyncio
from collections.abc import Sequence

from config.settings import Settings
from sandbox_bank.client import BankClient, BankError, StatementEntry


async def bank_statements(
    settings: Settings, escrow_ids: Sequence[str]
) -> dict[str, list[StatementEntry] | None]:
    """Each escrow account's statement at the bank; None for one the bank did not answer for."""

    async def one(bank: BankClient, escrow_id: str) -> list[StatementEntry] | None:
        try:
            return await bank.statement(escrow_id)
        except BankError:
            return None

    async with BankClient.from_settings(settings) as bank:
        answers = await asyncio.gather(*(one(bank, escrow_id) for escrow_id in escrow_ids))
    return dict(zip(escrow_ids, answers, strict=True))
