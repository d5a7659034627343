"""A business's compensation fund from the outside, over HTTP: open it, read it, sign its steps, pay in.

The steps' paths come from their declarations (domain/fund/steps.py), so a renamed route breaks here
the same way it breaks for every other client of the API.
"""

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from client.party import Party, checked, raise_for_error
from domain.deposit_reference import deposit_reference
from domain.fund.snapshot import FundSnapshot, read_fund_summary
from domain.fund.steps import FUND_RULES
from sandbox_bank.client import BankClient, BankMovement


async def open_fund(business: Party) -> str:
    """`POST /funds`: the business's fund id (opening it again answers the same fund)."""
    opened = raise_for_error(await business.http.post("/funds", headers=business.auth))
    fund_id: str = opened["fund"]["fund_id"]
    return fund_id


async def read_fund(reader: Party, fund_id: str) -> FundSnapshot:
    """`GET /funds/{id}` as the business or a council member reads it."""
    response = checked(await reader.http.get(f"/funds/{fund_id}", headers=reader.auth))
    return read_fund_summary(json.dumps(response.json()["fund"]))


async def fund_step(
    signer: Party, fund_id: str, action: str, payload: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """Sign `payload` as `action` for the fund and post it to the step's route."""
    spec = FUND_RULES[action]
    signed = signer.sign(action, fund_id, payload, now)
    response = await signer.http.post(f"/funds/{fund_id}{spec.route(payload)}", json=asdict(signed))
    return raise_for_error(response)


async def pay_in(bank: BankClient, fund_id: str, payer: str, amount_fen: int, key: str) -> BankMovement:
    """The business's transfer into its fund's account, quoting the fund's reference."""
    return await bank.deposit(
        fund_id, amount_fen=amount_fen, payer=payer, reference=deposit_reference(fund_id), idempotency_key=key
    )
