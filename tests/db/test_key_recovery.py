"""Key recovery requests as stored: the document number only as a keyed hash, and each step
moving the request from the state it needs, once."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from client.keys import PartyKey
from db import key_recovery as requests
from db.key_recovery import IdentityCheck, StateChanged, document_hash
from domain.keys import KeyPair
from tests.db.factories import make_party

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def test_a_document_number_is_kept_as_a_keyed_hash_typed_either_way() -> None:
    once = document_hash("secret-1", "passport", "g 1234 5678")
    assert once == document_hash("secret-1", "passport", "G12345678")
    assert once != document_hash("secret-2", "passport", "G12345678")
    assert once != document_hash("secret-1", "resident_identity_card", "G12345678")
    assert "12345678" not in once and len(once) == 64


def test_a_request_moves_once_from_the_state_each_step_needs(session: Session) -> None:
    party = make_party(session)
    new = PartyKey.generate()
    pairing = new.sign_pairing(party.id, "new phone")
    row = requests.create_request(
        session=session,
        party_id=party.id,
        pairing=pairing,
        pair=KeyPair(public_key=new.public_key_b64, label="new phone"),
        now=NOW,
    )
    assert row.id.startswith("KR-") and row.state == requests.REQUESTED
    approval = PartyKey.generate().sign_recovery_approval("C-A", party.id, new.public_key_b64, row.id, 48)
    with pytest.raises(StateChanged):
        requests.record_approval(session=session, request_id=row.id, approval=approval, member="C-A", at=NOW)
    check = IdentityCheck("passport", document_hash("s", "passport", "G1"), True, True, "", "C-A", NOW)
    assert requests.record_check(session=session, request_id=row.id, check=check).state == requests.CHECKED
    requests.record_approval(session=session, request_id=row.id, approval=approval, member="C-A", at=NOW)
    with pytest.raises(StateChanged) as moved:
        requests.record_check(session=session, request_id=row.id, check=check)
    assert moved.value.state == requests.APPROVED
    with pytest.raises(StateChanged):  # only a waiting request closes
        requests.close(session=session, request_id=row.id, state=requests.CANCELLED, at=NOW)


def test_two_writers_closing_a_request_to_the_same_state_at_once_both_get_it_closed(
    session: Session, clean_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cancellation's route and the workflow's own activity both close a cancelled request; the
    later one read it waiting just before the earlier committed (seen in CI as a 500). It gets
    the request as closed; a writer closing it to another state is still refused."""
    party = make_party(session)
    new = PartyKey.generate()
    pair = KeyPair(public_key=new.public_key_b64, label="new phone")
    row = requests.create_request(
        session=session,
        party_id=party.id,
        pairing=new.sign_pairing(party.id, "new phone"),
        pair=pair,
        now=NOW,
    )
    check = IdentityCheck("passport", document_hash("s", "passport", "G1"), True, True, "", "C-A", NOW)
    requests.record_check(session=session, request_id=row.id, check=check)
    approval = PartyKey.generate().sign_recovery_approval("C-A", party.id, new.public_key_b64, row.id, 48)
    requests.record_approval(session=session, request_id=row.id, approval=approval, member="C-A", at=NOW)
    requests.record_binding(
        session=session, request_id=row.id, binding=approval, member="C-B", effective_at=NOW
    )

    read = requests.get_request

    def read_then_the_other_writer_closes(**kwargs):
        found = read(**kwargs)
        monkeypatch.setattr(requests, "get_request", read)  # once
        with Session(clean_engine) as other:
            requests.close(
                session=other, request_id=row.id, state=requests.CANCELLED, at=NOW, cancelled_by_key="K1"
            )
        return found

    monkeypatch.setattr(requests, "get_request", read_then_the_other_writer_closes)
    closed = requests.close(
        session=session, request_id=row.id, state=requests.CANCELLED, at=NOW, cancelled_by_key="K1"
    )
    assert (closed.state, closed.cancelled_by_key) == (requests.CANCELLED, "K1")
    with pytest.raises(StateChanged):
        requests.close(session=session, request_id=row.id, state=requests.DONE, at=NOW)
