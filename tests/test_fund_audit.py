"""A compensation fund's trail verifies offline with the escrow's verifier (domain/audit.py).

The trails are real: built by the fund machine (tests/kits/fund_kit.py) and exported as the fund
workflow's `audit_trail` query does. Each tampering is re-chained (every seq, link and hash
recomputed) where the point is a check deeper than the chain, so the verifier is seen to find it
by that check and not only by a broken hash.
"""

import copy
from typing import Any

import pytest

from domain.audit import TRAIL_KINDS, trail_kind, verify_trail, whole_trail
from domain.steps.machine import trail_entry_hash
from domain.steps.signing import SignedStep
from tests.kits.fund_kit import MINIMUM, FundKit

ADVANCED = 300_000
WITHDRAWN = 100_000


def lived(kit: FundKit) -> None:
    """A pledge by the dealer, an advance by a council member who joined after the fund opened,
    and a withdrawal once the dealer repaid it."""
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM})
    kit.deposit(MINIMUM + 200_000)
    claim = kit.claim()
    kit.step("late_council", "fund.advance", kit.advance(claim, ADVANCED))
    kit.settle()
    kit.deposit(ADVANCED)
    kit.step("dealer", "fund.withdraw", {"amount_fen": WITHDRAWN})
    kit.settle()


@pytest.fixture
def kit() -> FundKit:
    kit = FundKit()
    lived(kit)
    return kit


@pytest.fixture
def trail(kit: FundKit) -> dict[str, Any]:
    return kit.m.audit_export()


def rechained(trail: dict[str, Any]) -> dict[str, Any]:
    """The trail with every entry renumbered, linked and hashed again from the terms' hash: what a
    forger who rewrote the file would hand over."""
    previous = trail["terms_hash"]
    for seq, entry in enumerate(trail["entries"], start=1):
        step = SignedStep(entry["envelope"], entry["signature"])
        entry["seq"], entry["prev_hash"] = seq, previous
        entry["entry_hash"] = previous = trail_entry_hash(seq, previous, step)
    return trail


def replaced(trail: dict[str, Any], action: str, step: SignedStep) -> dict[str, Any]:
    """A copy of the trail with the entry of `action` holding `step` instead, re-chained."""
    forged = copy.deepcopy(trail)
    entry = next(e for e in forged["entries"] if e["action"] == action)
    entry["envelope"], entry["signature"] = step.envelope, step.signature
    return rechained(forged)


def test_a_funds_trail_verifies_naming_its_business_and_the_council_as_learned(
    kit: FundKit, trail: dict[str, Any]
):
    dealer, late = kit.ids["dealer"], kit.ids["late_council"]
    assert [(e["action"], e["signer"], e["signer_role"]) for e in trail["entries"]] == [
        ("fund.pledge", dealer, "dealer"),
        ("fund.advance", late, "council"),
        ("fund.withdraw", dealer, "dealer"),
    ]
    assert (trail["fund_id"], trail["terms"]["fund_id"]) == (kit.m.fund_id, kit.m.fund_id)
    assert trail_kind(trail) == TRAIL_KINDS["fund"] and "escrow_id" not in trail
    # joined after the fund opened: the fund learned the key at the member's step, the file names it
    assert trail["council_keys"][late] == kit.keys["late_council"].public_key_b64
    assert trail["earlier_entries"] == 0
    assert verify_trail(trail) == []


def test_an_altered_amount_is_reported(trail: dict[str, Any]):
    altered = copy.deepcopy(trail)
    altered["entries"][1]["envelope"]["payload"]["amount_fen"] += 1
    assert "entry 2 (fund.advance): its content does not match its hash" in verify_trail(altered)
    # rewritten so every hash holds, the council member's signature still does not
    assert verify_trail(rechained(altered)) == [
        "entry 2 (fund.advance): the signature does not verify with the keys the signer held"
    ]


def test_a_dropped_entry_is_reported(trail: dict[str, Any]):
    dropped = copy.deepcopy(trail)
    del dropped["entries"][1]
    problems = verify_trail(dropped)
    assert "entry 2 (fund.withdraw): out of sequence (seq 3)" in problems
    assert "entry 2 (fund.withdraw): does not link to the entry before it" in problems


def signed(kit: FundKit, key_of: str, action: str, payload: dict[str, Any], **told: str) -> SignedStep:
    """`action` signed with `key_of`'s key, in the dealer's name and for the kit's fund unless told."""
    return kit.keys[key_of].sign_step(
        action=action,
        subject=told.get("subject", kit.m.fund_id),
        signer=told.get("signer", kit.ids["dealer"]),
        payload=payload,
        now=kit.now,
    )


def test_a_signature_by_another_key_is_reported(kit: FundKit, trail: dict[str, Any]):
    payload = trail["entries"][2]["envelope"]["payload"]
    forged = signed(kit, "buyer", "fund.withdraw", payload)  # the buyer's key, in the dealer's name
    assert verify_trail(replaced(trail, "fund.withdraw", forged)) == [
        "entry 3 (fund.withdraw): the signature does not verify with the keys the signer held"
    ]


def test_a_step_the_signers_role_may_not_sign_is_reported(kit: FundKit, trail: dict[str, Any]):
    """An advance the dealer signed with its own key is no step of a dealer's: the fund's rules say
    who signs what."""
    payload = trail["entries"][1]["envelope"]["payload"]
    forged = replaced(trail, "fund.advance", signed(kit, "dealer", "fund.advance", payload))
    forged["entries"][1]["signer_role"] = "dealer"
    assert verify_trail(forged) == ["entry 2 (fund.advance): a dealer may not sign fund.advance"]


def test_an_envelope_for_another_fund_is_reported(kit: FundKit, trail: dict[str, Any]):
    payload = trail["entries"][0]["envelope"]["payload"]
    forged = signed(kit, "dealer", "fund.pledge", payload, subject="FUND-P-SOMEONE-ELSE")
    assert verify_trail(replaced(trail, "fund.pledge", forged)) == [
        "entry 1 (fund.pledge): the envelope is for another fund"
    ]


def test_terms_for_another_fund_or_a_file_naming_no_subject_are_reported(trail: dict[str, Any]):
    moved = copy.deepcopy(trail)
    moved["fund_id"] = "FUND-P-SOMEONE-ELSE"
    problems = verify_trail(moved)
    assert "the terms belong to another fund" in problems
    assert "entry 1 (fund.pledge): the envelope is for another fund" in problems
    nameless = {key: value for key, value in trail.items() if key != "fund_id"}
    for not_a_trail in (nameless, [trail], 5):  # a file holds whatever JSON it holds
        assert verify_trail(not_a_trail) == [  # type: ignore[arg-type]
            "the file is not a trail of signed steps: it names no escrow_id nor fund_id"
        ]


def test_the_whole_life_of_a_fund_that_continued_as_new_verifies():
    kit = FundKit()
    lived(kit)
    earlier = kit.continue_as_new()
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM + 1})
    exported = kit.m.audit_export()
    assert (exported["earlier_entries"], len(exported["entries"])) == (3, 1)
    whole = whole_trail(exported, earlier.trail_records(0))
    assert [e["seq"] for e in whole["entries"]] == [1, 2, 3, 4]
    assert verify_trail(whole) == []
    assert verify_trail(exported) != []  # this run's entries alone do not start at the terms
