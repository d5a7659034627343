"""Who may sign what: contract signatures and every check on a signed envelope."""

from datetime import timedelta

import pytest

from domain.steps.rejections import RejectionKind
from domain.steps.signing import SignedStep, sign
from tests.kits.machine_kit import MAX_SKEW, Kit, funded

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT


# ------------------------------------------------------------- contract signing
def test_both_signatures_over_the_exact_terms_move_the_contract_to_funding():
    kit = Kit()
    kit.step("owner", "contract.sign", {"terms_hash": kit.m.terms_hash})
    assert (kit.m.phase, kit.m.signed_by) == ("draft", ["owner"])
    kit.step("contractor", "contract.sign", {"terms_hash": kit.m.terms_hash})
    assert kit.m.phase == "funding"
    assert [e.action for e in kit.m.trail] == ["contract.sign", "contract.sign"]
    kit.reject("owner", "contract.sign", {"terms_hash": kit.m.terms_hash}, CONFLICT, "not_in_draft")


def test_a_signature_over_other_terms_is_invalid():
    kit = Kit()
    other = Kit(stages=(30_000, 30_000, 25_000, 10_001))  # one fen more
    assert other.m.terms_hash != kit.m.terms_hash
    kit.reject("owner", "contract.sign", {"terms_hash": other.m.terms_hash}, INVALID, "terms_mismatch")
    assert kit.m.signed_by == []


def test_signing_the_contract_twice_is_a_conflict():
    kit = Kit()
    kit.step("contractor", "contract.sign", {"terms_hash": kit.m.terms_hash})
    kit.reject("contractor", "contract.sign", {"terms_hash": kit.m.terms_hash}, CONFLICT, "already_signed")
    assert kit.m.phase == "draft"


def test_the_inspector_and_the_council_cannot_sign_the_contract():
    kit = Kit()
    for role in ("inspector", "council"):
        kit.reject(role, "contract.sign", {"terms_hash": kit.m.terms_hash}, FORBIDDEN, "wrong_role")


# ---------------------------------------------------------------- envelopes
def awaiting_acceptance() -> Kit:
    kit = funded()
    kit.inspected(1)
    return kit


def test_a_tampered_payload_breaks_the_signature():
    kit = awaiting_acceptance()
    step = kit.sign("owner", "stage.accept", kit.accept_payload(1))
    step.envelope["payload"]["amount_fen"] = 29_999
    kit.refused(step, FORBIDDEN, "bad_signature")
    # and so does any other envelope field, or a signature that is not base64
    step = kit.sign("owner", "stage.accept", kit.accept_payload(1))
    kit.refused(SignedStep({**step.envelope, "nonce": "f" * 32}, step.signature), FORBIDDEN, "bad_signature")
    kit.refused(SignedStep(step.envelope, "not base64!"), FORBIDDEN, "bad_signature")
    assert kit.stage(1).status == "awaiting_acceptance" and kit.m.movements == []


def test_a_step_signed_with_someone_elses_key_is_refused():
    kit = awaiting_acceptance()
    forged = kit.keys["stranger"].sign_step(
        action="stage.accept",
        subject=kit.m.escrow_id,
        signer=kit.ids["owner"],
        payload=kit.accept_payload(1),
        now=kit.now,
    )
    kit.refused(forged, FORBIDDEN, "bad_signature")
    # the contractor's own valid key does not make it the owner's signature either
    forged = kit.sign("contractor", "stage.accept", kit.accept_payload(1), signer=kit.ids["owner"])
    kit.refused(forged, FORBIDDEN, "bad_signature")


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("contractor", "stage.accept"),
        ("inspector", "stage.accept"),
        ("council", "stage.accept"),
        ("owner", "inspection.report"),
        ("contractor", "inspection.report"),
        ("owner", "inspection.request"),
    ],
)
def test_a_valid_signature_from_the_wrong_role_is_forbidden(role, action):
    kit = awaiting_acceptance()
    payload = {
        "stage.accept": kit.accept_payload(1),
        "inspection.report": {"stage": 1, "round": 1, "result": "pass", "report_hash": "sha256:x"},
        "inspection.request": {"stage": 1},
    }[action]
    kit.reject(role, action, payload, FORBIDDEN, "wrong_role")


def test_only_the_council_decides_and_only_the_parties_raise_disputes():
    kit = funded()
    kit.reject("council", "dispute.raise", {"reason": "x", "stages": [1]}, FORBIDDEN, "wrong_role")
    kit.reject("inspector", "dispute.raise", {"reason": "x", "stages": [1]}, FORBIDDEN, "wrong_role")
    kit.dispute("owner", [1])
    decision = {
        "dispute": 1,
        "outcome": "refund",
        "reasons": "r",
        "decision_hash": "h",
        "refund_fen": 30_000,
    }
    for role in ("owner", "contractor", "inspector"):
        kit.reject(role, "dispute.decide", decision, FORBIDDEN, "wrong_role")


def test_a_stranger_is_not_a_party_and_an_envelope_for_another_escrow_is_refused():
    kit = awaiting_acceptance()
    kit.reject("stranger", "stage.accept", kit.accept_payload(1), FORBIDDEN, "not_a_party")
    foreign = kit.sign("owner", "stage.accept", kit.accept_payload(1), subject="ESC-2026-00002")
    kit.refused(foreign, FORBIDDEN, "wrong_subject")


def test_a_replayed_step_is_refused_after_it_was_applied():
    kit = Kit()
    step = kit.sign("owner", "contract.sign", {"terms_hash": kit.m.terms_hash})
    kit.submit(step)
    kit.refused(step, CONFLICT, "nonce_reused")
    # a different, freshly signed step that reuses the nonce is a replay too
    fresh = kit.sign("contractor", "contract.sign", {"terms_hash": kit.m.terms_hash})
    envelope = {**fresh.envelope, "nonce": step.envelope["nonce"]}
    kit.refused(sign(kit.keys["contractor"].private_key, envelope), CONFLICT, "nonce_reused")
    assert kit.m.signed_by == ["owner"]


@pytest.mark.parametrize("offset", [MAX_SKEW + timedelta(seconds=1), -MAX_SKEW - timedelta(seconds=1)])
def test_a_timestamp_outside_the_allowed_skew_is_stale(offset):
    kit = Kit()
    step = kit.sign("owner", "contract.sign", {"terms_hash": kit.m.terms_hash}, at=kit.now + offset)
    kit.refused(step, CONFLICT, "stale_timestamp")


def test_a_timestamp_at_the_edge_of_the_skew_is_accepted():
    kit = Kit()
    kit.submit(kit.sign("owner", "contract.sign", {"terms_hash": kit.m.terms_hash}, at=kit.now - MAX_SKEW))
    kit.submit(
        kit.sign("contractor", "contract.sign", {"terms_hash": kit.m.terms_hash}, at=kit.now + MAX_SKEW)
    )
    assert kit.m.phase == "funding"


def test_unknown_or_missing_payload_fields_are_refused():
    kit = awaiting_acceptance()
    payload = {**kit.accept_payload(1), "bonus_fen": 1}
    kit.reject("owner", "stage.accept", payload, RejectionKind.INVALID, "unknown_fields")
    payload = kit.accept_payload(1)
    del payload["report_hash"]
    kit.reject("owner", "stage.accept", payload, INVALID, "missing_fields")
    kit.reject(
        "owner", "stage.accept", {**kit.accept_payload(1), "amount_fen": "30000"}, INVALID, "not_an_integer"
    )
    kit.reject(
        "owner", "stage.accept", {**kit.accept_payload(1), "amount_fen": True}, INVALID, "not_an_integer"
    )


def test_malformed_envelopes_and_unknown_actions_are_invalid():
    kit = Kit()
    good = kit.sign("owner", "contract.sign", {"terms_hash": kit.m.terms_hash})
    private = kit.keys["owner"].private_key
    kit.refused(sign(private, {**good.envelope, "extra": 1}), INVALID, "bad_envelope")
    kit.refused(sign(private, {**good.envelope, "nonce": "short"}), INVALID, "bad_envelope")
    kit.refused(sign(private, {**good.envelope, "timestamp": "2026-03-02T09:30:00"}), INVALID, "bad_envelope")
    kit.reject("owner", "escrow.drain", {}, INVALID, "unknown_action")
    assert kit.m.trail == []
