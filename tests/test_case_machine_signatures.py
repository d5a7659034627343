"""Case machine: every step is a signed envelope, and a bad one changes nothing."""

from datetime import timedelta

import pytest

from client.keys import PartyKey
from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from domain.steps.signing import SignedStep
from tests.kits.dispute_kit import DISPUTED, BranchKit, machine_state

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
SKEW = timedelta(minutes=15)


def with_panel() -> BranchKit:
    kit = BranchKit()
    kit.to_draw()
    kit.draw()
    return kit


def edited(step: SignedStep, **changes) -> SignedStep:
    return SignedStep(envelope={**step.envelope, **changes}, signature=step.signature)


def test_a_tampered_payload_is_refused():
    kit = BranchKit()
    kit.step("council", "case.accept", {})
    step = kit.signed("respondent", "settlement.sign", kit.settlement(300_000, 700_000))
    cheaper = kit.settlement(100_000, 900_000)
    kit.reject_step(edited(step, payload=cheaper), FORBIDDEN, "bad_signature")


@pytest.mark.parametrize(
    ("field", "value"),
    [("action", "case.reject"), ("nonce", "f" * 32), ("timestamp", "2026-03-02T01:00:01Z")],
)
def test_any_edited_envelope_field_breaks_the_signature(field, value):
    kit = BranchKit()
    step = kit.signed("council", "case.accept", {})
    if field == "action":
        step = edited(step, payload={"reasons": "x"})
    kit.reject_step(edited(step, **{field: value}), FORBIDDEN, "bad_signature")


def test_a_step_signed_with_another_key_is_refused():
    kit = BranchKit()
    step = kit.keys["respondent"].sign_step(
        action="case.accept", subject=kit.m.subject_id, signer="P-COUNCIL", payload={}, now=kit.now
    )
    kit.reject_step(step, FORBIDDEN, "bad_signature")


def test_an_expert_signing_with_a_colleagues_key_is_refused():
    kit = with_panel()
    first, second = kit.seats[:2]
    step = kit.expert_keys[second].sign_step(
        action="declaration.sign",
        subject=kit.m.subject_id,
        signer=f"P-{first}",
        payload={"independent": True},
        now=kit.now,
    )
    kit.reject_step(step, FORBIDDEN, "bad_signature")


def test_experts_not_on_the_panel_are_not_parties_to_the_case():
    kit = with_panel()
    alternate = kit.record().alternates[0]
    never_drawn = next(e.expert_id for e in kit.experts if e.expert_id not in kit.record().panel)
    for outsider in (alternate, never_drawn):
        kit.reject(outsider, "declaration.sign", {"independent": True}, FORBIDDEN, "not_a_party")
    kit.step(kit.seats[0], "declaration.sign", {"independent": False, "reason": "conflict"})
    kit.reject(
        kit.record().replacements[0].leaving_id,
        "vote.commit",
        {"commitment": "0" * 64},
        FORBIDDEN,
        "not_a_party",
    )


def test_an_expert_is_not_a_party_before_any_panel_is_drawn():
    kit = BranchKit()
    kit.reject("EXP-002", "declaration.sign", {"independent": True}, FORBIDDEN, "not_a_party")


def test_a_stranger_is_refused():
    kit = BranchKit()
    step = kit.keys["claimant"].sign_step(
        action="case.accept", subject=kit.m.subject_id, signer="P-STRANGER", payload={}, now=kit.now
    )
    kit.reject_step(step, FORBIDDEN, "not_a_party")


def test_a_replayed_step_is_refused_and_a_refused_step_does_not_burn_its_nonce():
    kit = BranchKit()
    early = kit.signed("claimant", "settlement.sign", kit.settlement(0, DISPUTED))
    kit.reject_step(early, CONFLICT, "wrong_phase")  # not accepted yet: refused, nonce not used
    accept = kit.signed("council", "case.accept", {})
    kit.submit(accept)
    kit.reject_step(accept, CONFLICT, "nonce_reused")
    kit.submit(early)  # the same envelope, now in the right phase
    kit.reject_step(early, CONFLICT, "nonce_reused")
    assert kit.m.settlement.signed_by == ["claimant"]


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (-SKEW - timedelta(seconds=1), False),
        (-SKEW, True),
        (SKEW, True),
        (SKEW + timedelta(seconds=1), False),
        (timedelta(days=-1), False),
    ],
)
def test_timestamps_beyond_the_allowed_skew_are_refused(offset, accepted):
    kit = BranchKit()
    step = kit.keys["council"].sign_step(
        action="case.accept", subject=kit.m.subject_id, signer="P-COUNCIL", payload={}, now=kit.now + offset
    )
    if accepted:
        kit.submit(step)
        assert kit.m.phase is CasePhase.ANSWER
    else:
        kit.reject_step(step, CONFLICT, "stale_timestamp")


def test_an_envelope_for_another_case_is_refused():
    kit = BranchKit()
    step = kit.signed("council", "case.accept", {}, subject="CASE-2026-00002")
    kit.reject_step(step, FORBIDDEN, "wrong_subject")


@pytest.mark.parametrize(
    ("envelope_change", "code"),
    [
        ({"nonce": "short"}, "bad_envelope"),
        ({"timestamp": "yesterday"}, "bad_envelope"),
        ({"timestamp": "2026-03-02T01:00:00"}, "bad_envelope"),  # no time zone
        ({"payload": []}, "bad_envelope"),
        ({"extra": 1}, "bad_envelope"),
        ({"action": "case.delete"}, "unknown_action"),
        ({"action": "dispute.decide"}, "unknown_action"),  # an escrow step is no case step
    ],
)
def test_malformed_envelopes_are_refused_as_invalid(envelope_change, code):
    kit = BranchKit()
    kit.reject_step(edited(kit.signed("council", "case.accept", {}), **envelope_change), INVALID, code)


def test_a_missing_envelope_field_is_refused():
    kit = BranchKit()
    step = kit.signed("council", "case.accept", {})
    envelope = {k: v for k, v in step.envelope.items() if k != "nonce"}
    kit.reject_step(SignedStep(envelope=envelope, signature=step.signature), INVALID, "bad_envelope")


def test_checks_run_in_order_signature_before_role_before_phase():
    kit = BranchKit()
    forged = edited(kit.signed("claimant", "answer.submit", {"text": "a"}), payload={"text": "b"})
    kit.reject_step(forged, FORBIDDEN, "bad_signature")
    kit.reject("claimant", "answer.submit", {"text": "a"}, FORBIDDEN, "wrong_role")
    kit.reject("respondent", "answer.submit", {"text": "a"}, CONFLICT, "wrong_phase")


def test_accepted_steps_form_a_hash_chain_from_the_terms():
    kit = BranchKit()
    genesis = kit.m.trail_head
    first = kit.step("council", "case.accept", {})
    second = kit.step("respondent", "answer.submit", {"text": "a"})
    assert [e.prev_hash for e in kit.m.trail] == [genesis, first]
    assert kit.m.trail_head == second and [e.signer_role for e in kit.m.trail] == ["council", "respondent"]


def test_a_council_member_who_joined_after_the_case_was_filed_signs_with_the_council_sent_along():
    """Not in the case's list: refused alone, accepted when the API's council names the member,
    and then kept by the case, which needs the list no more."""
    kit = BranchKit()
    newcomer = PartyKey.generate()
    step = newcomer.sign_step(
        action="case.accept", subject=kit.m.subject_id, signer="P-NEW-CLERK", payload={}, now=kit.now
    )
    kit.reject_step(step, FORBIDDEN, "not_a_party")
    councils = {"P-NEW-CLERK": newcomer.public_key_b64}
    before = machine_state(kit.m)
    commit = kit.m.plan(step, kit.now, councils=councils)
    assert machine_state(kit.m) == before, "planning remembered the member already"
    commit()
    assert kit.m.council_keys["P-NEW-CLERK"] == newcomer.public_key_b64
    assert kit.m.trail[-1].signer == "P-NEW-CLERK" and kit.m.trail[-1].signer_role == "council"
    stranger = PartyKey.generate()  # a key the council list does not hold signs nothing
    forged = stranger.sign_step(
        action="case.reject", subject=kit.m.subject_id, signer="P-NEW-CLERK", payload={}, now=kit.now
    )
    kit.reject_step(forged, FORBIDDEN, "bad_signature")
