"""The activity the notifier calls to tell one party one thing: inbox, then every channel.

First, in one transaction: the inbox row (once per party and event) and a `delivery` row per
verified channel of a kind the party has not muted (once per party, event and channel: the
idempotency key), all recorded BEFORE anything is sent. Then each delivery still pending is
marked `sending` (its attempt counted, committed) BEFORE its provider is called, sent with
apprise in the party's language, and marked `sent` at once. So each message goes out at most
once per party, event and channel:

- a retried activity sends only what is still `pending`;
- a delivery it finds `sending` was being sent when an earlier attempt died (a worker killed,
  the attempt timed out) between calling the provider and recording the answer: the provider
  may have taken it or not, and no provider we use says which (apprise gives each mail a fresh
  Message-ID, an SMS gateway or a chat bot has no id to deduplicate on). It is never sent
  again: marked `unknown`, and the council alerted (`notification_unconfirmed`) to check with
  the provider or the party, who has the message in the inbox either way.

A provider's failure puts the delivery back to pending and raises, so Temporal retries with its
backoff; a permanent one (apprise cannot use the URL, or `MAX_SEND_ATTEMPTS` tries failed)
marks it failed and raises a council alert (db.crud.raise_alert) instead: nothing is gained by
retrying it, and the council sees that a party was not reached. Quiet hours are the notifier's
decision (notify/quiet_hours.next_send_time, on the workflow's clock): told `quiet_now`, this
leaves SMS and chat deliveries pending (unless the party turned quiet hours off) for the
notifier's next call, at the end of quiet hours.
"""

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.types import NotifyInput
from db import crud
from db import notifications as db
from db.engine import single_transaction
from db.models import ContactChannel, Delivery
from domain.alert_codes import AlertCode
from notify.channels import ChannelKind
from notify.kinds import MessageKind
from notify.messages import render
from notify.providers import Providers
from notify.quiet_hours import HELD_KINDS
from notify.send import DeliveryFailed, send

MAX_SEND_ATTEMPTS = 10
UNCONFIRMED = "the attempt ended while the provider was being called: not known whether it arrived"


class NotifyActivities:
    def __init__(self, engine: Engine, providers: Providers) -> None:
        self._engine = engine
        self._providers = providers

    @activity.defn
    def notify(self, input: NotifyInput) -> None:
        """Tell `input.party_id`, unless no party has that id: a process may name one the registry
        does not hold (a key the council enrolled by hand, a party removed), and the inbox row's
        foreign key would refuse it on every retry, holding one of the notify worker's few slots
        for good and every other party's messages behind it. There is nobody to tell: a warning,
        and the notifier moves on."""
        kind = MessageKind(input.kind)
        with Session(self._engine) as session:
            if crud.get_party(session=session, party_id=input.party_id) is None:
                activity.logger.warning(
                    "no party %s to tell of %s: nothing sent", input.party_id, input.event_key
                )
                return
        with single_transaction(self._engine) as session:
            preferences = db.preferences_of(session=session, party_id=input.party_id)
            notification = db.record_notification(
                session=session,
                party_id=input.party_id,
                kind=kind,
                event_key=input.event_key,
                subject_id=input.subject_id,
                params=input.params,
                link=input.link,
            )
            if kind not in preferences.muted:
                channels = db.channels_of(session=session, party_id=input.party_id, verified_only=True)
                db.record_deliveries(
                    session=session, notification=notification, channel_ids=[c.id for c in channels]
                )
            notification_id = notification.id
        assert notification_id is not None
        message = render(kind, input.params, self._providers.link(input.link), preferences.language)
        with Session(self._engine) as session:
            held = input.quiet_now and preferences.quiet_hours
            deliveries = db.deliveries_of(session=session, notification_id=notification_id)
            for delivery in deliveries:
                if delivery.status == "sending":
                    self._unconfirmed(session, input, delivery)
            pending = [
                d for d in deliveries if d.status == "pending" and not (held and self._held_kind(session, d))
            ]
            retry = [
                d.idempotency_key
                for d in pending
                if not self._send(session, input, d, message.title, message.body)
            ]
        if retry:
            raise ApplicationError(f"deliveries to retry: {', '.join(retry)}", type="DeliveryPending")

    @staticmethod
    def _held_kind(session: Session, delivery: Delivery) -> bool:
        channel = session.get(ContactChannel, delivery.channel_id)
        return channel is not None and ChannelKind(channel.kind) in HELD_KINDS

    def _send(self, session: Session, input: NotifyInput, delivery: Delivery, title: str, body: str) -> bool:
        """Send one delivery; False when it stays pending for a retry."""
        assert delivery.id is not None
        channel = session.get(ContactChannel, delivery.channel_id)
        assert channel is not None  # a channel's deliveries are removed with it
        attempt = delivery.attempts + 1
        if not db.begin_sending(session=session, delivery_id=delivery.id):
            return True  # another attempt took it meanwhile: it is that attempt's to send
        try:
            send(self._providers.url_for(ChannelKind(channel.kind), channel.address), title, body)
        except DeliveryFailed as failed:
            if not failed.permanent and attempt < MAX_SEND_ATTEMPTS:
                db.mark_delivery(
                    session=session, delivery_id=delivery.id, status="pending", error=failed.reason
                )
                return False
            db.mark_delivery(session=session, delivery_id=delivery.id, status="failed", error=failed.reason)
            self._alert(session, input, delivery, AlertCode.NOTIFICATION_FAILED, reason=failed.reason)
            return True
        db.mark_delivery(session=session, delivery_id=delivery.id, status="sent")
        return True

    def _unconfirmed(self, session: Session, input: NotifyInput, delivery: Delivery) -> None:
        """A delivery an earlier attempt left `sending`: `unknown`, never sent again, the council told."""
        assert delivery.id is not None
        db.mark_delivery(session=session, delivery_id=delivery.id, status="unknown", error=UNCONFIRMED)
        self._alert(session, input, delivery, AlertCode.NOTIFICATION_UNCONFIRMED)

    @staticmethod
    def _alert(
        session: Session, input: NotifyInput, delivery: Delivery, code: AlertCode, **params: str
    ) -> None:
        crud.raise_alert(
            session=session,
            subject_id=input.subject_id or input.party_id,
            code=code,
            params={
                "message_kind": input.kind,
                "party_id": input.party_id,
                "channel_id": delivery.channel_id,
                **params,
            },
            business_key=f"{code.value}:{delivery.idempotency_key}",
        )
