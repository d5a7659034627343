"""Staff reports: deposits the platform has not acknowledged, and the journal with its totals."""

import httpx
import pytest

from client.escrow_session import eventually
from sandbox_bank.client import BankClient, BankRejected
from tests.bank.conftest import ADMIN_TOKEN, new_key
from tests.kits.servers import WebhookReceiver

Receiver = tuple[WebhookReceiver, str]


async def test_a_deposit_awaits_confirmation_until_the_platform_acknowledges_it(
    receiver: Receiver, client: BankClient, account: str
) -> None:
    hook, _ = receiver
    hook.failing[account] = 10**9
    deposit = await client.deposit(account, 70_000, "owner", "stage money", new_key())
    await hook.wait_for(lambda ds: any(deposit.tx_id.encode() in d.body for d in ds))

    async def this_deposit() -> list:
        return [d for d in await client.unconfirmed_deposits() if d.tx_id == deposit.tx_id]

    # the outbox records a failed delivery only after the receiver has answered it
    waiting = await eventually(this_deposit, lambda ds: ds and ds[0].attempts >= 1, "a failed delivery", 45.0)
    assert [(d.account_id, d.amount_fen, d.reference) for d in waiting] == [(account, 70_000, "stage money")]
    assert waiting[0].attempts >= 1 and waiting[0].last_error

    del hook.failing[account]

    async def still_waiting() -> set[str]:
        return {d.tx_id for d in await client.unconfirmed_deposits()}

    await eventually(still_waiting, lambda ids: deposit.tx_id not in ids, "the acknowledgement", 45.0)


async def test_the_journal_counts_each_movement_once_and_its_totals_match_the_balances(
    client: BankClient, account: str
) -> None:
    before = await client.journal(limit=1000)
    await client.deposit(account, 10_000, "owner", "funding", new_key())
    await client.payout(account, 3_000, "contractor", "stage 1", new_key())
    await client.refund(account, 2_500, "owner", "cancelled", new_key())

    after = await client.journal(limit=3)
    assert [(e.account_id, e.kind, e.amount_fen) for e in after.entries] == [
        (account, "refund", 2_500),
        (account, "payout", 3_000),
        (account, "deposit", 10_000),
    ]
    moved = {kind: after.totals_fen[kind] - before.totals_fen.get(kind, 0) for kind in after.totals_fen}
    assert moved == {"deposit": 10_000, "payout": 3_000, "refund": 2_500}
    assert after.held_fen - before.held_fen == 4_500 == (await client.balance(account)).balance_fen


async def test_reports_need_the_admin_token(client: BankClient, http: httpx.AsyncClient) -> None:
    for path in ("/admin/deposits/unconfirmed", "/admin/journal"):
        assert (await http.get(path)).status_code == 403
        assert (await http.get(path, headers={"X-Admin-Token": "wrong"})).status_code == 403
        assert (await http.get(path, headers={"X-Admin-Token": ADMIN_TOKEN})).status_code == 200
    async with BankClient(str(http.base_url), 5, admin_token="wrong") as stranger:
        with pytest.raises(BankRejected):
            await stranger.journal()
