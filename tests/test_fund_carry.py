"""A fund continued as new (domain/fund/carry.py): the same fund, the same chain, the same checks."""

from datetime import timedelta

import pytest

from domain.steps.rejections import StepRejected
from domain.steps.signing import SignedStep
from tests.kits.fund_kit import CONFLICT, DUPLICATE, MINIMUM, FundKit


@pytest.fixture
def kit() -> FundKit:
    return FundKit()


def lived(kit: FundKit) -> SignedStep:
    """A pledge, deposits, a case paid in advance by a council member who joined later, and a case
    still waiting; returns the last step signed (the pledge raised)."""
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM})
    kit.deposit(MINIMUM)
    paid = kit.claim("CASE-2026-00101", decided=300_000)
    kit.step("late_council", "fund.advance", kit.advance(paid, 300_000))
    kit.settle()
    kit.claim("CASE-2026-00102", decided=100_000)
    kit.deposit(300_000)
    last = kit.keys["dealer"].sign_step(
        action="fund.pledge",
        subject=kit.m.fund_id,
        signer=kit.ids["dealer"],
        payload={"amount_fen": MINIMUM + 1},
        now=kit.now,
    )
    kit.m.plan(last, kit.now)()
    return last


def test_a_fund_continued_from_its_carry_shows_the_same_fund(kit: FundKit) -> None:
    lived(kit)
    earlier = kit.continue_as_new()
    assert kit.m.snapshot() == earlier.snapshot()  # every page and reply reads the whole life as before
    assert kit.m.trail == [] and kit.m.conservation_errors() == []


def test_a_deposit_the_bank_confirms_again_is_a_duplicate_in_the_next_run(kit: FundKit) -> None:
    lived(kit)
    kit.continue_as_new()
    with pytest.raises(StepRejected) as caught:
        kit.m.record_deposit("dep-1", MINIMUM)
    assert caught.value.kind is DUPLICATE
    kit.deposit(5_000)  # a new one counts
    assert kit.m.ledger.deposited_fen == MINIMUM + 300_000 + 5_000


def test_a_step_replayed_within_the_skew_window_is_refused_in_the_next_run_and_the_one_after(
    kit: FundKit,
) -> None:
    last = lived(kit)
    kit.continue_as_new()
    kit.now += timedelta(minutes=5)
    kit.continue_as_new()  # a second switch soon after: the nonce is handed on again
    with pytest.raises(StepRejected) as caught:
        kit.m.plan(last, kit.now)
    assert (caught.value.kind, caught.value.code) == (CONFLICT, "nonce_reused")
    kit.now += kit.m.max_skew * 2 + timedelta(seconds=1)
    kit.continue_as_new()  # by now the window refuses it whatever its nonce: the nonce is not carried
    assert kit.m.nonces == set()
    with pytest.raises(StepRejected) as caught:
        kit.m.plan(last, kit.now)
    assert caught.value.code == "stale_timestamp"


def test_a_case_learned_before_is_still_known_and_paid_once(kit: FundKit) -> None:
    lived(kit)
    kit.continue_as_new()
    version = kit.m.version
    paid, waiting = kit.m.snapshot().claims
    assert not kit.m.learn_claim(waiting, kit.now)  # no second alert, no new version
    assert kit.m.version == version
    kit.refused("dealer", "fund.pledge", {"amount_fen": MINIMUM}, CONFLICT, "advance_outstanding")
    kit.refused("council", "fund.advance", kit.advance(paid, 1), DUPLICATE, "already_advanced")
    kit.step("council", "fund.advance", kit.advance(waiting, 100_000))
    [movement] = kit.m.pending_movements()
    assert movement.key == f"{kit.m.fund_id}:advance-{waiting.case_id}"


def test_a_council_member_who_joined_later_is_still_known(kit: FundKit) -> None:
    lived(kit)
    kit.continue_as_new()
    late = kit.ids["late_council"]
    assert late in kit.m.council_keys
    waiting = kit.m.snapshot().claims[1]
    step = kit.keys["late_council"].sign_step(
        action="fund.advance",
        subject=kit.m.fund_id,
        signer=late,
        payload=kit.advance(waiting, 100_000),
        now=kit.now,
    )
    kit.m.plan(step, kit.now)()  # without the API's council list: the fund knows the member
    assert kit.m.pending_movements()[0].signed_by == late


def test_the_trail_goes_on_from_the_carried_head(kit: FundKit) -> None:
    lived(kit)
    earlier = kit.continue_as_new()
    kit.now += timedelta(days=1)
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM + 2})
    [entry] = kit.m.trail
    assert (entry.seq, entry.prev_hash) == (len(earlier.trail) + 1, earlier.trail_head)
    assert kit.m.trail_length == len(earlier.trail) + 1
    assert kit.m.trail_records(len(earlier.trail)) == [vars(entry)]
    assert kit.m.version == earlier.version + 1
