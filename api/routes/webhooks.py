"""The bank's deposit confirmations: HMAC over the raw body, then checked against the bank's books."""

from typing import Annotated

from fastapi import APIRouter, Header, Request

from api.deposit_check import bank_confirmed_deposit, escrow_refused, parse_event
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.gateway import ESCROW, FUND, execute
from api.models import WebhookAck
from domain.fund.terms import FUND_PREFIX
from sandbox_bank.webhooks import DEPOSIT_CONFIRMED, verify_signature
from workflows.escrow import EscrowWorkflow
from workflows.fund import FundWorkflow

router = APIRouter(prefix="/webhooks", tags=["bank webhook"])


@router.post("/bank", response_model=WebhookAck)
async def bank_webhook(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    temporal: TemporalDep,
    x_bank_signature: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    """Record a deposit the bank holds in an escrow or a compensation fund (its account says which).
    Redelivery of the same event is harmless."""
    body = await request.body()
    secret = settings.webhook_secret.get_secret_value().encode()
    if not x_bank_signature or not verify_signature(secret, body, x_bank_signature):
        raise ApiError(401, "bad_webhook_signature", "the webhook's HMAC signature does not match")
    event = parse_event(body)
    if event.type != DEPOSIT_CONFIRMED:
        return WebhookAck(status="ignored")
    confirmation = await bank_confirmed_deposit(event, settings=settings, session=session)
    try:
        if event.account_id.startswith(FUND_PREFIX):  # a business topping up its compensation fund
            await execute(temporal, FUND, event.account_id, FundWorkflow.record_deposit, confirmation)
        else:
            await execute(temporal, ESCROW, event.account_id, EscrowWorkflow.record_deposit, confirmation)
    except ApiError as exc:
        if exc.code == "deposit_already_recorded":
            return WebhookAck(status="duplicate")
        if exc.status < 500:  # refused for good; a 5xx is tried again by the bank's outbox
            raise escrow_refused(session, event, exc) from None
        raise
    return WebhookAck(status="recorded")
