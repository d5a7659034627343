"""Sending an event to a party's endpoints: record each delivery, then start its workflow.

What the notifier calls (from an activity, which has the engine, the client and the settings):
`send_event`. The delivery rows are committed before any workflow starts, and a workflow's id
is the delivery's and run's, so calling again after a crash starts only what had not started.
"""

import asyncio
import contextlib

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.webhook_types import WebhookDeliveryInput
from config.settings import Settings
from db import webhooks
from outbound_webhooks.events import WebhookEvent
from workflows.webhook_delivery import WebhookDeliveryWorkflow, webhook_workflow_id


async def start_delivery(client: Client, settings: Settings, delivery_id: str, run: int) -> None:
    """Start run `run` of the delivery; already started (or finished) means nothing to do."""
    with contextlib.suppress(WorkflowAlreadyStartedError):  # that run already ran to its end
        await client.start_workflow(
            WebhookDeliveryWorkflow.run,
            WebhookDeliveryInput(
                delivery_id=delivery_id,
                run=run,
                first_retry_seconds=settings.webhook_first_retry_seconds,
                public_only=settings.environment != "dev",
            ),
            id=webhook_workflow_id(delivery_id, run),
            task_queue=settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )


async def send_event(
    engine: Engine, client: Client, settings: Settings, party_id: str, event: WebhookEvent
) -> list[str]:
    """The event to every live endpoint of the party: the ids of the deliveries started."""
    pending = await asyncio.to_thread(_enqueue, engine, party_id, event)
    for delivery_id in pending:
        await start_delivery(client, settings, delivery_id, 1)
    return pending


def _enqueue(engine: Engine, party_id: str, event: WebhookEvent) -> list[str]:
    with Session(engine) as session:
        return webhooks.enqueue_webhooks(session=session, party_id=party_id, event=event)
