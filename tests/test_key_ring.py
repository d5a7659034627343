"""A party's keys replayed from its signed events (domain/keys.py): pairing, revocation and the
council's recovery, each refused when any signature or condition is missing."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from client.keys import PartyKey
from domain.keys import KeyRing, check_approval, check_recovery, key_id, replay
from domain.steps.rejections import StepRejected

PARTY = "P-OWNER"
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def refused(code: str, attempt) -> None:
    with pytest.raises(StepRejected) as caught:
        attempt()
    assert caught.value.code == code, caught.value.message


def paired(ring: KeyRing, signer: PartyKey, new: PartyKey, label: str = "phone"):
    event = signer.sign_key_add(PARTY, new.sign_pairing(PARTY, label))
    planned = ring.plan(event, {}, T0)
    assert planned is not None
    return event, planned()


def test_a_second_device_is_added_only_with_its_own_proof_and_an_existing_key() -> None:
    first, second, stranger = PartyKey.generate(), PartyKey.generate(), PartyKey.generate()
    ring = KeyRing.root(PARTY, first.public_key_b64, T0)
    step = second.sign_step(action="stage.accept", subject="ESC-1", signer=PARTY, payload={})
    assert ring.signing_key(step) is None

    # signed by a key the party does not hold
    refused(
        "bad_signature",
        lambda: ring.plan(stranger.sign_key_add(PARTY, second.sign_pairing(PARTY, "x")), {}, T0),
    )
    # the new key's proof signed by another key
    forged = first.sign_key_add(PARTY, stranger.sign_pairing(PARTY, "x"))
    forged.envelope["payload"]["public_key"] = second.public_key_b64
    forged = first.sign_step(
        action="key.add", subject=PARTY, signer=PARTY, payload=forged.envelope["payload"]
    )
    refused("no_possession", lambda: ring.plan(forged, {}, T0))

    event, change = paired(ring, first, second)
    assert (change.action, change.public_key, change.label) == ("key.add", second.public_key_b64, "phone")
    assert ring.signing_key(step) is not None
    assert ring.plan(event, {}, T0) is None  # the same event again changes nothing
    assert [k.key_id for k in ring.active()] == [key_id(first.public_key_b64), key_id(second.public_key_b64)]


def test_a_revoked_key_signs_nothing_more_and_the_last_key_stays() -> None:
    first, second = PartyKey.generate(), PartyKey.generate()
    ring = KeyRing.root(PARTY, first.public_key_b64, T0)
    refused("last_key", lambda: ring.plan(first.sign_key_revoke(PARTY, first.public_key_b64), {}, T0))
    paired(ring, first, second)
    before = first.sign_step(action="stage.accept", subject="ESC-1", signer=PARTY, payload={})
    revoke = second.sign_key_revoke(PARTY, first.public_key_b64)
    planned = ring.plan(revoke, {}, T0)
    assert planned is not None
    assert planned().revoked == (first.public_key_b64,)
    assert ring.signing_key(before) is None
    refused("bad_signature", lambda: ring.plan(first.sign_key_revoke(PARTY, second.public_key_b64), {}, T0))
    refused(
        "key_known", lambda: ring.plan(second.sign_key_add(PARTY, first.sign_pairing(PARTY, "back")), {}, T0)
    )


@dataclass
class Recovering:
    """A party whose only key is lost, a new device's pairing and council member A's approval."""

    lost: PartyKey = field(default_factory=PartyKey.generate)
    new: PartyKey = field(default_factory=PartyKey.generate)
    a: PartyKey = field(default_factory=PartyKey.generate)
    b: PartyKey = field(default_factory=PartyKey.generate)

    def __post_init__(self) -> None:
        self.councils = {"C-A": self.a.public_key_b64, "C-B": self.b.public_key_b64}
        self.ring = KeyRing.root(PARTY, self.lost.public_key_b64, T0)
        self.pairing = self.new.sign_pairing(PARTY, "new phone")
        self.approval = self.a.sign_recovery_approval("C-A", PARTY, self.new.public_key_b64, "R-1", 48)


def test_recovery_needs_two_council_members_and_its_waiting_period() -> None:
    r = Recovering()
    lost, new, a, b = r.lost, r.new, r.a, r.b
    councils, ring, pairing, approval = r.councils, r.ring, r.pairing, r.approval
    alone = a.sign_recovery("C-A", approval, pairing)
    refused("one_council_member", lambda: ring.plan(alone, councils, T0 + timedelta(days=3)))
    binding = b.sign_recovery("C-B", approval, pairing)
    signed_at = datetime.fromisoformat(binding.envelope["timestamp"])
    refused("recovery_waiting", lambda: ring.plan(binding, councils, signed_at + timedelta(hours=47)))
    refused(
        "not_council", lambda: ring.plan(binding, {"C-A": a.public_key_b64}, signed_at + timedelta(hours=49))
    )
    planned = ring.plan(binding, councils, signed_at + timedelta(hours=48))
    assert planned is not None
    change = planned()
    assert change.revoked == (lost.public_key_b64,)
    assert [k.public_key for k in ring.active()] == [new.public_key_b64]
    assert replay(PARTY, lost.public_key_b64, T0, [binding], councils).active()[0].label == "new phone"


def test_a_recovery_is_checked_whole_but_for_its_wait_without_changing_the_ring() -> None:
    r = Recovering()
    lost, new, a, b = r.lost, r.new, r.a, r.b
    councils, ring, pairing, approval = r.councils, r.ring, r.pairing, r.approval
    assert check_approval(approval, PARTY, councils).request == "R-1"
    refused("not_council", lambda: check_approval(approval, PARTY, {"C-B": b.public_key_b64}))
    refused("wrong_subject", lambda: check_approval(approval, "P-OTHER", councils))
    refused("unknown_action", lambda: check_approval(pairing, PARTY, councils))

    binding = b.sign_recovery("C-B", approval, pairing)
    terms = check_recovery(ring, binding, councils)
    assert (terms.public_key, terms.label, terms.approver, terms.signer) == (
        new.public_key_b64,
        "new phone",
        "C-A",
        "C-B",
    )
    assert terms.effective_at == terms.signed_at + timedelta(hours=48)
    assert [k.public_key for k in ring.active()] == [lost.public_key_b64]  # checked on a copy
    refused(
        "one_council_member",
        lambda: check_recovery(ring, a.sign_recovery("C-A", approval, pairing), councils),
    )
    refused("unknown_action", lambda: check_recovery(ring, approval, councils))
    planned = ring.plan(binding, councils, terms.effective_at)
    assert planned is not None
    planned()
    refused("key_known", lambda: check_recovery(ring, binding, councils))
