"""The notification tables on both backends: an event lands once, a delivery is recorded once and
taken for sending once, codes expire and run out of guesses."""

from datetime import timedelta

from sqlmodel import Session

from db import notifications as db
from db.models import utcnow
from notify.channels import ChannelKind
from notify.kinds import MessageKind
from tests.db.factories import make_party


def test_an_event_lands_once_and_each_channel_gets_one_delivery(session: Session) -> None:
    party = make_party(session)
    channel = db.add_channel(
        session=session, party_id=party.id, kind=ChannelKind.EMAIL, address="li@example.com"
    )
    told = {
        "session": session,
        "party_id": party.id,
        "kind": MessageKind.DECISION_SIGNED,
        "event_key": "CASE-1/decision",
        "subject_id": "CASE-1",
        "params": {"subject": "CASE-1", "outcome": "pay"},
        "link": "/my/cases/CASE-1",
    }
    first = db.record_notification(**told)
    again = db.record_notification(**{**told, "params": {"subject": "CASE-1", "outcome": "changed"}})
    assert again.id == first.id and again.params_json == first.params_json
    db.record_deliveries(session=session, notification=first, channel_ids=[channel.id])
    assert first.id is not None
    [delivery] = db.deliveries_of(session=session, notification_id=first.id)
    assert delivery.id is not None
    assert db.begin_sending(session=session, delivery_id=delivery.id)
    assert not db.begin_sending(session=session, delivery_id=delivery.id), "taken once"
    db.mark_delivery(session=session, delivery_id=delivery.id, status="sent")
    db.record_deliveries(session=session, notification=first, channel_ids=[channel.id])
    [after] = db.deliveries_of(session=session, notification_id=first.id)
    session.refresh(after)
    assert (after.id, after.status, after.attempts) == (delivery.id, "sent", 1)
    assert db.unread_count(session=session, party_id=party.id) == 1
    assert db.mark_read(session=session, party_id=party.id) == 1
    assert db.mark_read(session=session, party_id=party.id) == 0


def test_a_code_expires_and_runs_out_of_guesses(session: Session) -> None:
    party = make_party(session)
    channel = db.add_channel(
        session=session, party_id=party.id, kind=ChannelKind.SMS, address="+8613800138000"
    )
    assert db.verify_code(session=session, channel=channel, code="123456") == "no_code"
    code = db.set_code(session=session, channel=channel, lifetime=timedelta(minutes=15))
    assert channel.code_hash != code and len(code) == 6
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(db.MAX_CODE_ATTEMPTS):
        assert db.verify_code(session=session, channel=channel, code=wrong) == "wrong_code"
    assert db.verify_code(session=session, channel=channel, code=code) == "too_many_attempts"
    code = db.set_code(session=session, channel=channel, lifetime=timedelta(minutes=15))
    channel.code_expires_at = utcnow() - timedelta(seconds=1)
    assert db.verify_code(session=session, channel=channel, code=code) == "code_expired"
    code = db.set_code(session=session, channel=channel, lifetime=timedelta(minutes=15))
    assert db.verify_code(session=session, channel=channel, code=code) == "verified"
    assert [c.id for c in db.channels_of(session=session, party_id=party.id, verified_only=True)] == [
        channel.id
    ]
