"""The notifier's activities that are not the `notify` activity itself (activities/notify.py):
who sits on the council (a council action is told to every member), and an event for the
party's webhook endpoints; and `NotifierLink`, through which the projections call to hand a snapshot's
news to the subject's notifier workflow.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client

from activities.notifier_types import NotifierInput, WebhookNotice
from config.settings import Settings
from db import crud
from domain.roles import Role
from notify.events import SubjectNews
from notify.kinds import MessageKind
from outbound_webhooks.dispatch import send_event
from outbound_webhooks.events import WebhookEvent
from workflows.notifier import NotifierWorkflow, notifier_workflow_id


class NotifierActivities:
    def __init__(self, engine: Engine, client: Client, settings: Settings) -> None:
        self._engine = engine
        self._client = client
        self._settings = settings

    @activity.defn
    def council_members(self) -> list[str]:
        with Session(self._engine) as session:
            return [party.id for party in crud.list_parties_by_role(session=session, role=Role.COUNCIL.value)]

    @activity.defn
    async def send_webhook(self, notice: WebhookNotice) -> None:
        event = WebhookEvent(
            id=notice.event_key,
            kind=MessageKind(notice.kind),
            subject_id=notice.subject_id,
            occurred_at=datetime.fromisoformat(notice.occurred_at),
            data=notice.params,
        )
        await send_event(self._engine, self._client, self._settings, notice.party_id, event)


@dataclass(frozen=True)
class NotifierLink:
    """Where the projections tell the notifiers: the client and the task queue they run on."""

    client: Client
    task_queue: str

    async def tell(self, news: SubjectNews) -> None:
        """Signal the subject's notifier, starting it if it is not running. Money never waits on
        this: the projection calls it after its transaction committed, and the notifier ignores a
        version it has already seen (a projection retried tells it twice)."""
        await self.client.start_workflow(
            NotifierWorkflow.run,
            NotifierInput(subject_id=news.subject_id, subject_kind=news.subject_kind),
            id=notifier_workflow_id(news.subject_id),
            task_queue=self.task_queue,
            start_signal="news",
            start_signal_args=[news],
        )
