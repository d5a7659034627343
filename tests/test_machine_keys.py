"""The machines check each step against the keys its signer held when it was applied (domain/keys.py):
a second device's step carries the key events that added it, a revocation learned without a step
refuses the revoked key from then on, key events enter the trail, and the exported trail still
verifies offline (domain/audit.py) with the revoked key's earlier steps."""

import asyncio
import copy
from datetime import timedelta

import pytest
from temporalio.converter import DataConverter

from client.keys import PartyKey
from domain.audit import files_of_step, verify_trail
from domain.escrow.carry import WarrantyCarry
from domain.keys import KEY_EVENTS
from domain.steps.rejections import RejectionKind, StepRejected
from domain.steps.signing import SignedStep
from tests.kits.dispute_kit import DISPUTED, CaseKit
from tests.kits.machine_kit import Kit, funded

OWNER = "P-OWNER"


def add_device(kit: Kit, role: str = "owner", label: str = "phone") -> tuple[PartyKey, SignedStep]:
    """A new key for `role`, and the `key.add` its first key signs for it."""
    device = PartyKey.generate()
    party = kit.ids[role]
    return device, kit.keys[role].sign_key_add(party, device.sign_pairing(party, label, kit.now), kit.now)


def signed_by(kit: Kit, key: PartyKey, role: str, action: str, payload: dict) -> SignedStep:
    return key.sign_step(
        action=action, subject=kit.m.escrow_id, signer=kit.ids[role], payload=payload, now=kit.now
    )


def test_a_second_devices_step_is_accepted_with_the_event_that_added_it_and_both_enter_the_trail() -> None:
    kit = funded()
    kit.inspected(1)
    device, added = add_device(kit)
    step = signed_by(kit, device, "owner", "stage.accept", kit.accept_payload(1))
    kit.refused(step, RejectionKind.FORBIDDEN, "bad_signature")  # without its key event

    before = kit.m.snapshot()
    commit = kit.m.plan(step, kit.now, [added])
    assert kit.m.snapshot() == before and kit.m.rings == {}, "planning changed the machine"
    commit()
    assert kit.stage(1).status == "accepted"
    key_entry, step_entry = kit.m.trail[-2:]
    assert (key_entry.action, key_entry.signer, key_entry.signer_role) == ("key.add", OWNER, "owner")
    assert key_entry.envelope == added.envelope and step_entry.prev_hash == key_entry.entry_hash
    assert step_entry.action == "stage.accept"
    assert files_of_step("key.add", added.envelope["payload"]) == []

    # the event goes with every later step too: applied once, it is skipped
    length = kit.m.trail_length
    kit.m.plan(
        signed_by(kit, device, "owner", "dispute.raise", {"stages": [2], "reason": "cracks"}),
        kit.now,
        [added],
    )()
    assert kit.m.trail_length == length + 1 and kit.m.trail[-1].action == "dispute.raise"
    assert verify_trail(kit.m.audit_export()) == []


def test_a_revocation_learned_without_a_step_refuses_the_revoked_key_and_leaves_its_steps_verifiable() -> (
    None
):
    kit = funded()
    device, added = add_device(kit)
    kit.inspected(1)
    kit.accept(1)  # signed by the first key
    revoked = device.sign_key_revoke(OWNER, kit.keys["owner"].public_key_b64, kit.now)

    with pytest.raises(StepRejected) as stranger:
        kit.m.plan_keys("P-STRANGER", [added, revoked], kit.now)
    assert stranger.value.code == "not_a_party"
    kit.m.plan_keys(OWNER, [added, revoked], kit.now)()
    with pytest.raises(StepRejected) as again:
        kit.m.plan_keys(OWNER, [added, revoked], kit.now)
    assert (again.value.kind, again.value.code) == (RejectionKind.DUPLICATE, "keys_known")
    assert [e.action for e in kit.m.trail[-2:]] == ["key.add", "key.revoke"]

    kit.inspected(2)
    kit.reject("owner", "stage.accept", kit.accept_payload(2), RejectionKind.FORBIDDEN, "bad_signature")
    kit.submit(signed_by(kit, device, "owner", "stage.accept", kit.accept_payload(2)))
    assert kit.stage(2).status == "accepted"
    assert verify_trail(kit.m.audit_export()) == []


def test_a_refused_key_event_refuses_the_step_and_changes_nothing() -> None:
    kit = funded()
    kit.inspected(1)
    device, _ = add_device(kit)
    forged = device.sign_key_add(OWNER, device.sign_pairing(OWNER, "self-made", kit.now), kit.now)
    step = signed_by(kit, device, "owner", "stage.accept", kit.accept_payload(1))
    with pytest.raises(StepRejected) as caught:
        kit.m.plan(step, kit.now, [forged])
    assert caught.value.code == "bad_signature"
    assert kit.m.rings == {} and all(e.action not in KEY_EVENTS for e in kit.m.trail)


def test_the_audit_reports_a_key_event_whose_signature_fails_and_a_step_of_a_revoked_key() -> None:
    kit = funded()
    device, added = add_device(kit)
    kit.m.plan_keys(OWNER, [added], kit.now)()
    kit.inspected(1)
    kit.submit(signed_by(kit, device, "owner", "stage.accept", kit.accept_payload(1)))
    trail = kit.m.audit_export()
    assert verify_trail(trail) == []

    tampered = copy.deepcopy(trail)
    entry = next(e for e in tampered["entries"] if e["action"] == "key.add")
    entry["signature"] = (
        kit.keys["inspector"]
        .sign_step(
            action="key.add", subject=OWNER, signer=OWNER, payload=entry["envelope"]["payload"], now=kit.now
        )
        .signature
    )
    problems = verify_trail(tampered)
    assert any("(key.add): the key event is refused (bad_signature)" in p for p in problems), problems
    # without the device, the stage's acceptance no longer verifies either
    assert any("(stage.accept): the signature does not verify" in p for p in problems), problems


def test_the_warranty_run_carries_every_partys_keys() -> None:
    kit = funded()
    device, added = add_device(kit)
    revoked = device.sign_key_revoke(OWNER, kit.keys["owner"].public_key_b64, kit.now)
    kit.m.plan_keys(OWNER, [added, revoked], kit.now)()
    for number in range(1, len(kit.m.stages) + 1):
        kit.inspected(number)
        kit.submit(signed_by(kit, device, "owner", "stage.accept", kit.accept_payload(number)))
        kit.settle()
    carry = kit.m.warranty_carry(kit.now)
    assert set(carry.rings) == {OWNER}
    # as continue-as-new hands it to the next run: through the workflows' data converter
    converter = DataConverter.default
    carry = asyncio.run(converter.decode(asyncio.run(converter.encode([carry])), [WarrantyCarry]))[0]
    assert carry.rings == kit.m.rings

    later = Kit()
    later.keys, later.ids = kit.keys, kit.ids
    later.m = type(kit.m)(
        kit.terms, council_keys=kit.m.council_keys, created_at=kit.now, max_skew=kit.m.max_skew
    )
    later.m.continue_from(carry)
    later.now = kit.now + timedelta(days=30)
    claim = {"amount_fen": 1_000, "description": "the shower leaks"}
    with pytest.raises(StepRejected) as caught:
        later.m.plan(signed_by(later, kit.keys["owner"], "owner", "warranty.claim", claim), later.now)
    assert caught.value.code == "bad_signature"
    later.m.plan(signed_by(later, device, "owner", "warranty.claim", claim), later.now)()
    assert later.m.claims


def test_a_case_takes_a_claimants_second_device_and_an_experts() -> None:
    kit = CaseKit()
    claimant = kit.keys["claimant"]
    device = PartyKey.generate()
    added = claimant.sign_key_add("P-CLAIMANT", device.sign_pairing("P-CLAIMANT", "tablet", kit.now), kit.now)
    kit.step("council", "case.accept", {})
    settlement = kit.settlement(DISPUTED // 2, DISPUTED // 2)
    step = device.sign_step(
        action="settlement.sign",
        subject=kit.m.subject_id,
        signer="P-CLAIMANT",
        payload=settlement,
        now=kit.now,
    )
    kit.m.plan(step, kit.now, [added])()
    assert [e.action for e in kit.m.trail[-2:]] == ["key.add", "settlement.sign"]
    assert kit.m.trail[-2].signer_role == "claimant"

    kit.step("respondent", "answer.submit", {"text": "answer"})
    kit.tick(timedelta(days=10))
    expert_id = kit.draw()[0]
    party = kit.parties[expert_id].party_id
    expert_device = PartyKey.generate()
    expert_added = kit.expert_keys[expert_id].sign_key_add(
        party, expert_device.sign_pairing(party, "laptop", kit.now), kit.now
    )
    declaration = expert_device.sign_step(
        action="declaration.sign",
        subject=kit.m.subject_id,
        signer=party,
        payload={"independent": True},
        now=kit.now,
    )
    kit.m.plan(declaration, kit.now, [expert_added])()
    assert (kit.m.trail[-2].action, kit.m.trail[-2].signer_role) == ("key.add", "expert")
    assert kit.m.round.seats[expert_id].declared


def test_an_escrow_step_inside_a_case_step_may_be_signed_by_the_second_device_that_step_brings() -> None:
    kit = CaseKit()
    device = PartyKey.generate()
    added = kit.keys["claimant"].sign_key_add(
        "P-CLAIMANT", device.sign_pairing("P-CLAIMANT", "tablet", kit.now), kit.now
    )
    kit.step("council", "case.accept", {})
    escrow_step = device.sign_step(
        action="dispute.withdraw",
        subject="ESC-2026-00001",
        signer="P-CLAIMANT",
        payload={"dispute": 1, "case_id": kit.m.subject_id},
        now=kit.now,
    )
    payload = {
        "reason": "fixed",
        "escrow_step": {"envelope": escrow_step.envelope, "signature": escrow_step.signature},
    }
    withdrawal = kit.keys["claimant"].sign_step(
        action="case.withdraw", subject=kit.m.subject_id, signer="P-CLAIMANT", payload=payload, now=kit.now
    )
    with pytest.raises(StepRejected) as caught:
        kit.m.plan(withdrawal, kit.now)  # the case does not know the device yet
    assert caught.value.code == "bad_escrow_step"
    kit.m.plan(withdrawal, kit.now, [added])()
    assert kit.m.phase == "enforcement" and kit.m.escrow_step == escrow_step
