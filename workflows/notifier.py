"""One notifier per escrow or case (`notify-{subject id}`): tells people what the machines await
of them, reminds them before deadlines that have a consequence, and tells them what happened.

The projections signal it (`news`, with signal-with-start) after each snapshot they stored; what
to send and when is decided by notify/plan.py (pure), on this workflow's clock. Sending is the
`notify` activity (inbox, then each channel, idempotent per party, event and channel) and an
event for the party's webhook endpoints, each retried with backoff; a message is sent in a task
of its own, so a provider that keeps failing delays neither the next reminder nor, since the
escrow and case workflows never wait for this one, any money.

Quiet hours are decided here, on the workflow's clock: a message sent between 22:00 and 08:00
Shanghai time (but the last reminder before a deadline) is sent with `quiet_now`, which keeps its
SMS and chat deliveries pending, and again when quiet hours end, which sends them (email and the
inbox at once). The run ends when its subject is closed and nothing is left to send, and
continues as new after `EVENTS_PER_RUN` messages, carrying its state.
"""

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.notifier_types import NotifierInput, WebhookNotice
    from activities.notify import NotifyActivities
    from activities.types import NotifyInput
    from notify.events import SubjectNews
    from notify.plan import Held, Message, NotifierState, absorb, next_wake, quiet_until, reminders_due

EVENTS_PER_RUN = 500
SENDING = RetryPolicy(
    initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=10)
)
ATTEMPT = timedelta(minutes=2)
# by name: activities/notifier.py starts this workflow, so it cannot be imported here
COUNCIL = "council_members"
WEBHOOK = "send_webhook"


def notifier_workflow_id(subject_id: str) -> str:
    return f"notify-{subject_id}"


def notify_task_queue(task_queue: str) -> str:
    """The task queue of the notifiers and their activities, beside the escrow worker's `task_queue`:
    a queue of their own, served by a worker of their own (workflows/worker.py), so a burst of
    messages waits behind messages only, never before or among the escrows' and cases' tasks and
    the bank's money activities (docs/NOTIFICATIONS.md, "Its own task queue")."""
    return f"{task_queue}-notify"


# Upgrading: a notifier lives as long as its subject, and everything it decides is in notify/plan.py,
# on state it carries; a new build takes it over at its next task.
@workflow.defn(versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class NotifierWorkflow:
    @workflow.init
    def __init__(self, input: NotifierInput) -> None:
        self._state = input.state or NotifierState(input.subject_id, input.subject_kind)
        self._news: SubjectNews | None = None
        self._sending = 0
        self._sent_this_run = 0

    @workflow.signal
    def news(self, news: SubjectNews) -> None:
        """A snapshot's news; only the newest unread one matters (each carries the whole state)."""
        if news.version > max(self._state.version, self._news.version if self._news else -1):
            self._news = news

    @workflow.query
    def state(self) -> NotifierState:
        return self._state

    @workflow.run
    async def run(self, input: NotifierInput) -> None:
        while True:
            now = workflow.now()
            if self._news is not None:
                news, self._news = self._news, None
                self._send_all(absorb(self._state, news, now), now)
            self._send_all(reminders_due(self._state, now), now)
            self._release_held(now)
            if self._state.closed and not self._state.held and next_wake(self._state, now) is None:
                await workflow.wait_condition(lambda: self._sending == 0)
                if self._news is None:  # news that came meanwhile (a late projection) is taken first
                    return
                continue
            if self._sent_this_run >= EVENTS_PER_RUN or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(lambda: self._sending == 0)
                if self._news is None:  # news that came meanwhile is taken first, not dropped
                    workflow.continue_as_new(NotifierInput(input.subject_id, input.subject_kind, self._state))
                continue
            wake = next_wake(self._state, now)
            timeout = None if wake is None else max(wake - now, timedelta(seconds=1))
            with contextlib.suppress(TimeoutError):  # the next reminder's or held message's moment
                await workflow.wait_condition(lambda: self._news is not None, timeout=timeout)

    def _send_all(self, messages: list[Message], now: datetime) -> None:
        for message in messages:
            held = quiet_until(now, message)
            if held is not None:
                self._state.held.append(Held(held, message))
            self._sent_this_run += 1
            self._sending += 1
            asyncio.get_running_loop().create_task(self._send(message, now, quiet=held is not None))

    def _release_held(self, now: datetime) -> None:
        """Held messages whose quiet hours ended: sent again, now without holding (the email and
        inbox deliveries already went: the activity sends only what is still pending)."""
        ready = [held for held in self._state.held if held.at <= now]
        self._state.held = [held for held in self._state.held if held.at > now]
        for held in ready:
            self._sending += 1
            asyncio.get_running_loop().create_task(self._send(held.message, now, quiet=False, webhook=False))

    async def _send(self, message: Message, now: datetime, *, quiet: bool, webhook: bool = True) -> None:
        try:
            recipient = message.recipient
            if recipient.party_id is not None:
                parties = [recipient.party_id]
            else:
                parties = await workflow.execute_activity(
                    COUNCIL, start_to_close_timeout=ATTEMPT, retry_policy=SENDING, result_type=list[str]
                )
            for party_id in parties:
                notice = NotifyInput(
                    party_id=party_id,
                    kind=message.kind.value,
                    event_key=message.event_key,
                    subject_id=message.subject_id,
                    params=message.params,
                    link=message.link,
                    quiet_now=quiet,
                )
                await workflow.execute_activity_method(
                    NotifyActivities.notify, notice, start_to_close_timeout=ATTEMPT, retry_policy=SENDING
                )
                if webhook:
                    event = WebhookNotice(
                        party_id=party_id,
                        kind=message.kind.value,
                        event_key=message.event_key,
                        subject_id=message.subject_id,
                        params=message.params,
                        occurred_at=now.isoformat(),
                    )
                    await workflow.execute_activity(
                        WEBHOOK,
                        event,
                        start_to_close_timeout=ATTEMPT,
                        retry_policy=SENDING,
                    )
        finally:
            self._sending -= 1
