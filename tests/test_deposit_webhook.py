"""A deposit is recorded only when the bank's own books hold that transaction, over real HTTP.

The webhooks here are validly signed, as by someone who holds the webhook secret: the
HMAC alone must not be enough to put money into an escrow. The bank, the API, the worker
and Temporal are all real; what an escrow holds is compared as its whole state.
"""

import json
import uuid
from typing import Any

import httpx
import pytest

from client.escrow_session import eventually
from domain.deposit_reference import deposit_reference
from domain.money import MAX_AMOUNT_FEN
from sandbox_bank.client import StatementEntry, UnconfirmedDeposit
from sandbox_bank.webhooks import DEPOSIT_CONFIRMED, sign_payload
from tests.conftest import Stack
from tests.kits.flow import EscrowFlow
from web.server_text import stored_alert_text

TOTAL_FEN = 1_000_000
EXCESS_FEN = 100
ALERT_KIND = "deposit_webhook_refused"


async def post_event(stack: Stack, event: dict[str, Any] | bytes) -> httpx.Response:
    """A webhook signed with the stack's secret: a forger holding it, or the bank resending."""
    body = event if isinstance(event, bytes) else json.dumps({"type": DEPOSIT_CONFIRMED, **event}).encode()
    signature = sign_payload(stack.settings.webhook_secret.get_secret_value().encode(), body)
    return await stack.http.post(
        "/webhooks/bank",
        content=body,
        headers={"X-Bank-Signature": signature, "Content-Type": "application/json"},
    )


def claim(account_id: str, tx_id: str, amount_fen: int) -> dict[str, Any]:
    return {"account_id": account_id, "tx_id": tx_id, "amount_fen": amount_fen}


async def signed_escrow(stack: Stack) -> EscrowFlow:
    """Both sides signed; the escrow waits for its deposit."""
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=TOTAL_FEN)
    await flow.sign_contract()
    return flow


async def booked(flow: EscrowFlow, kind: str) -> StatementEntry:
    [entry] = [e for e in await flow.stack.bank.statement(flow.escrow_id) if e.kind == kind]
    return entry


@pytest.fixture
async def overpaid(stack: Stack) -> EscrowFlow:
    """Funded with 100 fen too many, which the escrow refunded: a deposit and a refund at the bank."""
    flow = await signed_escrow(stack)
    await flow.deposit(TOTAL_FEN + EXCESS_FEN)
    await flow.settled()
    return flow


async def test_a_real_deposit_is_recorded_once_and_redelivery_changes_nothing(overpaid: EscrowFlow, stack):
    state = await overpaid.state()
    assert state.ledger.deposited_fen == TOTAL_FEN + EXCESS_FEN
    assert (state.phase, state.ledger.held_fen) == ("active", TOTAL_FEN)
    deposit = await booked(overpaid, "deposit")
    assert deposit.reference == deposit_reference(overpaid.escrow_id)
    acknowledged = await stack.bank.unconfirmed_deposits()
    assert deposit.tx_id not in {d.tx_id for d in acknowledged}

    again = await post_event(stack, claim(overpaid.escrow_id, deposit.tx_id, deposit.amount_fen))

    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert await overpaid.state() == state
    assert overpaid.council_alerts() == []


async def test_webhooks_the_bank_does_not_back_are_refused_alerted_and_change_nothing(
    overpaid: EscrowFlow, stack
):
    waiting = await signed_escrow(stack)
    deposit, refund = await booked(overpaid, "deposit"), await booked(overpaid, "refund")
    unknown_tx = f"tx_{uuid.uuid4().hex}"
    cases = [
        # (claimed escrow, the claim, status, code, what the alert must say differed)
        (
            overpaid,
            claim(overpaid.escrow_id, unknown_tx, 500),
            422,
            "unknown_bank_transaction",
            "no transaction",
        ),
        (
            overpaid,
            claim(overpaid.escrow_id, deposit.tx_id, deposit.amount_fen + 1),
            409,
            "bank_transaction_mismatch",
            f"{deposit.amount_fen} fen at the bank, {deposit.amount_fen + 1} fen in the webhook",
        ),
        (
            overpaid,
            claim(overpaid.escrow_id, deposit.tx_id, 2**63 - 1),
            409,
            "bank_transaction_mismatch",
            f"{2**63 - 1} fen in the webhook",
        ),
        (
            waiting,
            claim(waiting.escrow_id, deposit.tx_id, deposit.amount_fen),
            409,
            "bank_transaction_mismatch",
            f"account {overpaid.escrow_id} at the bank, {waiting.escrow_id} in the webhook",
        ),
        (
            overpaid,
            claim(overpaid.escrow_id, refund.tx_id, refund.amount_fen),
            409,
            "bank_transaction_mismatch",
            "a refund at the bank, not a deposit",
        ),
    ]
    for flow, event, status, code, difference in cases:
        before = await flow.state()

        refused = await post_event(stack, event)
        redelivered = await post_event(stack, event)

        for response in (refused, redelivered):
            assert (response.status_code, response.json()["detail"]["code"]) == (status, code), event
        assert await flow.state() == before, event
        alerts = [a for a in flow.council_alerts() if a.kind == ALERT_KIND]
        alerts = [a for a in alerts if json.loads(a.params_json)["tx_id"] == event["tx_id"]]
        alerts = [a for a in alerts if json.loads(a.params_json)["amount_fen"] == str(event["amount_fen"])]
        assert len(alerts) == 1, (event, alerts)  # raised, and once only for the redelivered claim
        said = stored_alert_text("en", alerts[0])
        assert difference in said and flow.escrow_id in said and code in said


async def test_malformed_bodies_are_422_even_when_signed(overpaid: EscrowFlow, stack):
    before = await overpaid.state()
    deposit = await booked(overpaid, "deposit")
    good = claim(overpaid.escrow_id, deposit.tx_id, deposit.amount_fen)
    deep = b'{"type":"deposit.confirmed","nested":' + b"[" * 5000 + b"]" * 5000 + b"}"
    # Refused by the JSON policy at the edge before the route reads them; the rest by the route.
    at_the_edge: list[tuple[bytes, str]] = [
        (deep, "json_too_deep"),
        (b"not json", "invalid_input"),
        (
            b'{"type":"deposit.confirmed","account_id":"x","tx_id":"t","amount_fen":NaN}',
            "json_non_finite_number",
        ),
        (
            b'{"type":"deposit.confirmed","account_id":"ESC-1","tx_id":"t","amount_fen":'
            + b"9" * 5000
            + b"}",
            "invalid_input",
        ),
    ]
    for body, code in at_the_edge:
        response = await post_event(stack, body)
        assert (response.status_code, response.json()["detail"]["code"]) == (422, code), body
    bodies: list[dict[str, Any] | bytes] = [
        b"[1, 2]",
        {**good, "amount_fen": float(deposit.amount_fen)},
        {**good, "amount_fen": str(deposit.amount_fen)},
        {**good, "amount_fen": True},
        {**good, "amount_fen": 2**63},
        {**good, "amount_fen": 0},
        {**good, "tx_id": f"x/../../accounts/{overpaid.escrow_id}"},
        {**good, "tx_id": 7},
        {**good, "account_id": "@external:owners-in"},
        {key: value for key, value in good.items() if key != "tx_id"},
    ]
    for body in bodies:
        response = await post_event(stack, body)
        assert (response.status_code, response.json()["detail"]["code"]) == (422, "bad_webhook_body"), body
    assert await overpaid.state() == before
    assert overpaid.council_alerts() == []


async def test_a_deposit_quoting_another_reference_is_still_the_accounts_escrows_money(stack):
    """Money is matched by the escrow's own account, not by the reference (api/deposit_check.py): a
    transfer into it quoting a neighbour's reference is recorded, unalerted, its reference as quoted."""
    flow = await signed_escrow(stack)
    year, number = flow.escrow_id.split("-")[1:]
    quoted = deposit_reference(f"ESC-{year}-{int(number) + 1:05d}")
    await stack.bank.deposit(
        flow.escrow_id, TOTAL_FEN, flow.owner.id, quoted, f"{flow.escrow_id}:deposit-typo"
    )

    state = await flow.wait_for(lambda s: s.ledger.deposited_fen == TOTAL_FEN, "the deposit")
    assert state.phase == "active"
    assert (await booked(flow, "deposit")).reference == quoted != deposit_reference(flow.escrow_id)
    assert flow.council_alerts() == []


async def test_when_the_bank_cannot_be_asked_the_api_answers_503_and_the_bank_delivers_again(stack):
    flow = await signed_escrow(stack)
    await flow.deposit(400_000)
    before = await flow.state()

    async def pending() -> list[UnconfirmedDeposit]:
        return [d for d in await stack.bank.unconfirmed_deposits() if d.tx_id == deposit.tx_id]

    reachable = stack.settings.bank_url
    stack.settings.bank_url = "http://127.0.0.1:9"  # the API's way to the bank is down; the bank is up
    try:
        deposit = await stack.bank.deposit(
            flow.escrow_id,
            600_000,
            flow.owner.id,
            deposit_reference(flow.escrow_id),
            f"{flow.escrow_id}:deposit-rest",
        )
        [refused] = await eventually(
            pending, lambda ds: ds and ds[0].attempts >= 1, "the bank's first delivery", flow.wait_seconds
        )
        assert refused.last_error == "receiver answered 503"
        direct = await post_event(stack, claim(flow.escrow_id, deposit.tx_id, 600_000))
        assert (direct.status_code, direct.json()["detail"]["code"]) == (503, "bank_unavailable")
        assert await flow.state() == before
    finally:
        stack.settings.bank_url = reachable

    state = await flow.wait_for(lambda s: s.ledger.deposited_fen > 400_000, "the redelivered deposit")
    assert (state.ledger.deposited_fen, state.phase) == (TOTAL_FEN, "active")
    await eventually(
        pending, lambda ds: ds == [], "the bank to see its event acknowledged", flow.wait_seconds
    )
    assert (await flow.state()).ledger.deposited_fen == TOTAL_FEN
    assert flow.council_alerts() == []


async def test_a_deposit_the_bank_holds_but_the_escrow_refuses_alerts_the_council(stack: Stack):
    """Past the bound on what one escrow may ever take in, the escrow refuses the deposit (nothing is
    recorded), yet the money sits at the bank: the council is told, once, to return it."""
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=MAX_AMOUNT_FEN)
    await flow.sign_contract()
    await flow.deposit(MAX_AMOUNT_FEN)
    await flow.settled()
    before = await flow.state()
    # the bank books one more fen and posts its webhook itself
    late = await stack.bank.deposit(
        flow.escrow_id, 1, flow.owner.id, "one fen too many", f"{flow.escrow_id}:late"
    )
    alert = await flow.wait_for_alert("deposit_not_recorded")
    params = json.loads(alert.params_json)
    assert (alert.code, params["refusal"], params["tx_id"]) == (
        "deposit_not_recorded",
        "deposit_out_of_range",
        late.tx_id,
    )
    again = await post_event(stack, claim(flow.escrow_id, late.tx_id, 1))
    assert (again.status_code, again.json()["detail"]["code"]) == (422, "deposit_out_of_range")
    assert await flow.state() == before
    assert [a.kind for a in flow.council_alerts()] == ["deposit_not_recorded"]
