"""The bank's deposit confirmations, authenticated by HMAC over the raw body."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Request

from api.deps import SettingsDep, TemporalDep
from api.errors import ApiError
from api.gateway import ESCROW, execute
from api.models import WebhookAck
from sandbox_bank.webhooks import verify_signature
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import DepositConfirmation

router = APIRouter(prefix="/webhooks", tags=["bank webhook"])


@router.post("/bank", response_model=WebhookAck)
async def bank_webhook(
    request: Request,
    settings: SettingsDep,
    temporal: TemporalDep,
    x_bank_signature: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    """Record a confirmed deposit in its escrow. Redelivery of the same event is harmless."""
    body = await request.body()
    secret = settings.webhook_secret.get_secret_value().encode()
    if not x_bank_signature or not verify_signature(secret, body, x_bank_signature):
        raise ApiError(401, "bad_webhook_signature", "the webhook's HMAC signature does not match")
    try:
        event = json.loads(body)
        kind, account, tx_id, amount = event["type"], event["account_id"], event["tx_id"], event["amount_fen"]
    except (ValueError, KeyError, TypeError):
        raise ApiError(
            422, "bad_webhook_body", "the event lacks type, account_id, tx_id or amount_fen"
        ) from None
    if kind != "deposit.confirmed":
        return WebhookAck(status="ignored")
    if not isinstance(amount, int) or isinstance(amount, bool) or not isinstance(tx_id, str):
        raise ApiError(422, "bad_webhook_body", "amount_fen must be an integer and tx_id a string")
    try:
        confirmation = DepositConfirmation(tx_id, amount)
        await execute(temporal, ESCROW, str(account), EscrowWorkflow.record_deposit, confirmation)
    except ApiError as exc:
        if exc.code == "deposit_already_recorded":
            return WebhookAck(status="duplicate")
        raise
    return WebhookAck(status="recorded")
