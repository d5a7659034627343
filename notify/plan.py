"""What the notifier sends, and when: pure, deterministic (time is always passed in), so the
notifier workflow holds no rule of its own and the rules are tested without Temporal.

The state is what one subject's notifier remembers: the last snapshot version it was told, the
awaited actions it knows (each with the moment it first saw it), what it has told whom, and the
SMS and chat messages quiet hours hold. From it:

- `absorb`: a newer snapshot's news, compared with what is known: each action newly awaited is
  an `action_awaiting` message to its party (the council's go to every member); each fact not
  told yet, a message to each recipient. An older or equal version changes nothing (a retried
  projection, a signal repeated).
- `reminders_due` / `next_wake`: 72 and 24 hours before the due time of an action whose deadline
  has a consequence, a `deadline_reminder` saying what happens then. Computed from the actions
  known now, so a reminder vanishes when its action is done and moves when its deadline moves
  (its key carries the due time). A reminder is sent only if its moment came after the action
  was first seen (an action opened 30 h before its deadline gets no 72 h reminder, its
  `action_awaiting` says as much) and before the deadline (late, it would be worthless).
- `quiet_until`: quiet hours for SMS and chat (notify/quiet_hours.py): the moment the held
  messages may go, or None. A held message about an action is dropped when news shows the
  action done: the SMS would otherwise ask at 08:00 for what was done at 23:00.

Every message has an `event_key` naming the event for its party: the `notify` activity keeps one
inbox row per (party, event) and one delivery per (party, event, channel), so sending a message
again, after a retry or a continue-as-new, delivers nothing twice.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.open_actions import OpenAction
from notify.channels import ChannelKind
from notify.events import SAID_BY_A_FACT, Recipient, SubjectNews, consequential, page_link
from notify.kinds import MessageKind
from notify.quiet_hours import next_send_time

REMINDER_HOURS = (72, 24)  # the last of them is the last reminder: quiet hours do not hold it


@dataclass
class Message:
    recipient: Recipient
    kind: MessageKind
    event_key: str
    subject_id: str
    params: dict[str, Any]
    link: str
    last_reminder: bool = False
    action_key: str | None = None  # the `Tracked.key` of the action it is about, if any

    @property
    def told_key(self) -> str:
        return f"{self.event_key}@{self.recipient.party_id or self.recipient.role.value}"


@dataclass
class Tracked:
    """An awaited action the notifier knows: `key` names this occurrence of it."""

    action: OpenAction
    key: str
    seen_at: datetime


@dataclass
class Held:
    """A message whose SMS and chat deliveries wait for the end of quiet hours."""

    at: datetime
    message: Message


@dataclass
class NotifierState:
    subject_id: str
    subject_kind: str
    version: int = -1  # the last snapshot version taken; an escrow's first is 0
    closed: bool = False
    tracked: list[Tracked] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # Message.told_key of everything sent
    held: list[Held] = field(default_factory=list)


def identity(action: OpenAction) -> tuple[str, str | None, str, str | None]:
    """What makes an action the same one in the next snapshot, whatever its due time."""
    return (action.action, action.ref, action.role.value, action.party_id)


def absorb(state: NotifierState, news: SubjectNews, now: datetime) -> list[Message]:
    """Take a snapshot's news; the messages it makes, each marked told."""
    if news.version <= state.version:
        return []
    known = {identity(t.action): t for t in state.tracked}
    tracked: list[Tracked] = []
    messages: list[Message] = []
    for action in news.actions:
        before = known.get(identity(action))
        if before is not None:
            tracked.append(Tracked(action, before.key, before.seen_at))
            continue
        occurrence = action.since.isoformat() if action.since else f"v{news.version}"
        who = action.party_id or action.role.value
        key = f"{news.subject_id}/{action.action}/{action.ref or '-'}/{who}/{occurrence}"
        tracked.append(Tracked(action, key, now))
        if action.action not in SAID_BY_A_FACT:
            params = {"subject": news.subject_id, "action": action.action, "due": _due(action)}
            messages.append(_message(state, action, key, MessageKind.ACTION_AWAITING, key, params))
    for fact in news.facts:
        for recipient in fact.recipients:
            link = page_link(state.subject_kind, state.subject_id, recipient.role, fact.ref)
            messages.append(Message(recipient, fact.kind, fact.key, state.subject_id, fact.params, link))
    state.version, state.closed, state.tracked = news.version, news.closed, tracked
    # a held text about an action that is done now would ask for it at 08:00: it is dropped
    open_keys = {t.key for t in tracked}
    state.held = [h for h in state.held if h.message.action_key in open_keys or h.message.action_key is None]
    return _untold(state, messages)


def reminders_due(state: NotifierState, now: datetime) -> list[Message]:
    """The reminders whose moment has come and that were not sent yet, each marked told."""
    due = [message for at, message in _reminders(state) if at <= now < _deadline(message)]
    return _untold(state, due)


def next_wake(state: NotifierState, now: datetime) -> datetime | None:
    """The next moment something is to be sent: a reminder, or held messages."""
    told = set(state.told)
    moments = [at for at, message in _reminders(state) if at > now and message.told_key not in told]
    moments += [held.at for held in state.held]
    return min(moments, default=None)


def quiet_until(now: datetime, message: Message) -> datetime | None:
    """When quiet hours hold this message's SMS and chat deliveries: until then (or None)."""
    at = next_send_time(now, ChannelKind.SMS, message.last_reminder)
    return at if at > now else None


def _reminders(state: NotifierState) -> list[tuple[datetime, Message]]:
    planned: list[tuple[datetime, Message]] = []
    for tracked in state.tracked:
        action = tracked.action
        if not consequential(action) or action.due is None:
            continue
        for hours in REMINDER_HOURS:
            at = action.due - timedelta(hours=hours)
            if at <= tracked.seen_at:
                continue
            key = f"{tracked.key}/due-{action.due.isoformat()}/{hours}h"
            params = {
                "subject": state.subject_id,
                "action": action.action,
                "due": _due(action),
                "hours": hours,
                "consequence": action.at_deadline.value,
            }
            message = _message(state, action, tracked.key, MessageKind.DEADLINE_REMINDER, key, params)
            message.last_reminder = hours == REMINDER_HOURS[-1]
            planned.append((at, message))
    return planned


def _message(
    state: NotifierState,
    action: OpenAction,
    action_key: str,
    kind: MessageKind,
    key: str,
    params: dict[str, Any],
) -> Message:
    recipient = Recipient(action.role, action.party_id)
    link = page_link(state.subject_kind, state.subject_id, action.role, action.ref)
    return Message(recipient, kind, key, state.subject_id, params, link, action_key=action_key)


def _due(action: OpenAction) -> str:
    return action.due.isoformat() if action.due else ""


def _deadline(message: Message) -> datetime:
    return datetime.fromisoformat(str(message.params["due"]))


def _untold(state: NotifierState, messages: list[Message]) -> list[Message]:
    told = set(state.told)
    fresh: list[Message] = []
    for message in messages:
        if message.told_key not in told:
            told.add(message.told_key)
            state.told.append(message.told_key)
            fresh.append(message)
    return fresh
