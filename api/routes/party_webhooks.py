"""A party's outbound webhook endpoints: register, list, delete, read the delivery log, replay.

Not the bank's inbound webhook (api/routes/webhooks.py). Another party's endpoint or delivery is
not found, whether or not it exists (as for tokens): its id says nothing, its log is private.
"""

from fastapi import APIRouter, Query

from api.deps import CurrentParty, Offset, SessionDep, SettingsDep, TemporalDep, release_connection
from api.errors import ApiError, error_responses
from api.webhook_models import (
    WebhookDeliveryPublic,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointPublic,
)
from db import webhooks
from db.models import WebhookEndpoint
from outbound_webhooks.dispatch import start_delivery
from outbound_webhooks.urls import UrlRefused, check_endpoint_url

router = APIRouter(prefix="/parties/me/webhooks", tags=["webhooks"])

NO_ENDPOINT = ApiError(404, "webhook_not_found", "the caller has no webhook endpoint with this id")


def _own(session: SessionDep, party_id: str, webhook_id: str) -> WebhookEndpoint:
    endpoint = webhooks.own_endpoint(session=session, party_id=party_id, endpoint_id=webhook_id)
    if endpoint is None:
        raise NO_ENDPOINT
    return endpoint


@router.post(
    "", status_code=201, response_model=WebhookEndpointCreated, responses=error_responses(401, 409, 422)
)
def register_webhook(
    body: WebhookEndpointIn, party: CurrentParty, session: SessionDep, settings: SettingsDep
) -> WebhookEndpointCreated:
    """Register an HTTPS URL to receive the party's events, signed with the secret answered here once."""
    try:
        url = check_endpoint_url(body.url, dev=settings.environment == "dev")
    except UrlRefused as refused:
        raise ApiError(422, refused.code, refused.message) from None
    try:
        endpoint = webhooks.register_endpoint(session=session, party_id=party.id, url=url)
    except webhooks.TooManyEndpoints:
        raise ApiError(
            409, "too_many_webhooks", f"a party has at most {webhooks.MAX_ENDPOINTS} webhook endpoints"
        ) from None
    return WebhookEndpointCreated(**WebhookEndpointPublic.of(endpoint).model_dump(), secret=endpoint.secret)


@router.get("", response_model=list[WebhookEndpointPublic], responses=error_responses(401))
def list_webhooks(party: CurrentParty, session: SessionDep) -> list[WebhookEndpointPublic]:
    """The party's live endpoints, oldest first (without their secrets)."""
    return [WebhookEndpointPublic.of(e) for e in webhooks.list_endpoints(session=session, party_id=party.id)]


@router.delete("/{webhook_id}", response_model=WebhookEndpointPublic, responses=error_responses(401, 404))
def delete_webhook(webhook_id: str, party: CurrentParty, session: SessionDep) -> WebhookEndpointPublic:
    """Send nothing more to it (retrying deliveries fail); its log stays readable. Again: no change."""
    endpoint = _own(session, party.id, webhook_id)
    return WebhookEndpointPublic.of(webhooks.delete_endpoint(session=session, endpoint=endpoint))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=list[WebhookDeliveryPublic],
    responses=error_responses(401, 404),
)
def list_deliveries(
    webhook_id: str,
    party: CurrentParty,
    session: SessionDep,
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
) -> list[WebhookDeliveryPublic]:
    """The endpoint's delivery log, newest first: each event, its status and its attempts."""
    endpoint = _own(session, party.id, webhook_id)
    rows = webhooks.list_deliveries(session=session, endpoint_id=endpoint.id, offset=offset, limit=limit)
    return [WebhookDeliveryPublic.of(row) for row in rows]


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=WebhookDeliveryPublic,
    responses=error_responses(401, 404, 409),
)
async def replay_delivery(
    delivery_id: str, party: CurrentParty, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
) -> WebhookDeliveryPublic:
    """Send a failed delivery again, with the same event id and body, on the full retry schedule."""
    delivery = webhooks.own_delivery(session=session, party_id=party.id, delivery_id=delivery_id)
    if delivery is None:
        raise ApiError(404, "delivery_not_found", "the caller has no webhook delivery with this id")
    endpoint = _own(session, party.id, delivery.endpoint_id)
    if endpoint.deleted_at is not None:
        raise ApiError(
            409, "webhook_deleted", "the endpoint was deleted: register it again to receive events"
        )
    try:
        delivery = webhooks.start_replay(session=session, delivery=delivery)
    except webhooks.NotReplayable:
        raise ApiError(
            409, "delivery_not_failed", "only a failed delivery is replayed: this one is pending or delivered"
        ) from None
    answer = WebhookDeliveryPublic.of(delivery)
    release_connection(session)
    await start_delivery(temporal, settings, delivery.id, delivery.runs)
    return answer
