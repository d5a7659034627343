"""The fund's rules, pure (domain/fund/machine.py): pledges, deposits, advances and withdrawals,
each refusal leaving no trace, and the ledger adding up after every call."""

from datetime import timedelta

import pytest

from domain.alert_codes import AlertCode
from domain.escrow.state import MovementStatus
from domain.fund.state import FundMovementKind
from domain.fund.terms import CLAIM_HOLD_DAYS, AdvanceClaim
from tests.kits.fund_kit import CONFLICT, DUPLICATE, FORBIDDEN, INVALID, MINIMUM, FundKit


@pytest.fixture
def kit() -> FundKit:
    return FundKit()


def test_a_pledge_is_at_least_the_minimum_or_zero_and_only_the_business_signs_it(kit: FundKit) -> None:
    kit.refused("dealer", "fund.pledge", {"amount_fen": MINIMUM - 1}, INVALID, "pledge_below_minimum")
    kit.refused("council", "fund.pledge", {"amount_fen": MINIMUM}, FORBIDDEN, "wrong_role")
    kit.refused("buyer", "fund.pledge", {"amount_fen": MINIMUM}, FORBIDDEN, "not_a_party")
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM})
    assert kit.m.pledged_fen == MINIMUM
    kit.refused("dealer", "fund.pledge", {"amount_fen": MINIMUM}, DUPLICATE, "pledge_unchanged")
    kit.step("dealer", "fund.pledge", {"amount_fen": 0})
    assert kit.m.pledged_fen == 0


def test_an_overdue_case_is_paid_in_advance_once_and_the_business_then_owes_it(kit: FundKit) -> None:
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM})
    kit.deposit(MINIMUM)
    claim = kit.claim(decided=300_000)
    assert [a.code for a in kit.m.alerts] == [AlertCode.ADVANCE_DUE]
    kit.step("council", "fund.advance", kit.advance(claim, 300_000))
    [movement] = kit.m.pending_movements()
    assert (movement.kind, movement.beneficiary, movement.amount_fen) == (
        FundMovementKind.ADVANCE,
        kit.ids["buyer"],
        300_000,
    )
    assert movement.key == f"{kit.m.fund_id}:advance-{claim.case_id}"
    assert movement.signed_by == kit.ids["council"]
    kit.refused("council", "fund.advance", kit.advance(claim, 1), DUPLICATE, "already_advanced")
    kit.settle()
    ledger = kit.m.snapshot().ledger
    assert (ledger.held_fen, ledger.advanced_fen, ledger.owed_fen) == (MINIMUM - 300_000, 300_000, 300_000)
    kit.deposit(200_000)  # a top-up repays first
    assert kit.m.ledger.owed_fen == 100_000
    kit.deposit(150_000)
    assert kit.m.ledger.owed_fen == 0
    assert kit.m.ledger.held_fen == MINIMUM + 50_000


def test_an_advance_is_never_more_than_the_decision_nor_than_the_fund_holds(kit: FundKit) -> None:
    kit.deposit(200_000)
    claim = kit.claim(decided=300_000)
    refusal = kit.refused(
        "council", "fund.advance", kit.advance(claim, 300_001), INVALID, "advance_above_decision"
    )
    assert refusal.params == {"decided_fen": 300_000}
    refusal = kit.refused(
        "council", "fund.advance", kit.advance(claim, 200_001), CONFLICT, "advance_above_fund"
    )
    assert refusal.params == {"available_fen": 200_000}
    wrong = {**kit.advance(claim, 1), "decision_hash": "another"}
    kit.refused("council", "fund.advance", wrong, INVALID, "decision_hash_mismatch")
    unknown = {**kit.advance(claim, 1), "case_id": "CASE-2026-99999"}
    kit.refused("council", "fund.advance", unknown, CONFLICT, "case_not_advanceable")
    kit.refused("dealer", "fund.advance", kit.advance(claim, 1), FORBIDDEN, "wrong_role")
    kit.step("council", "fund.advance", kit.advance(claim, 200_000))
    # what is on its way out is not there for a second case
    second = kit.claim("CASE-2026-00102", decided=10_000)
    kit.deposit(5_000)
    kit.refused("council", "fund.advance", kit.advance(second, 5_001), CONFLICT, "advance_above_fund")


def test_a_council_member_who_joined_after_the_fund_opened_may_sign_and_is_remembered(kit: FundKit) -> None:
    kit.deposit(100_000)
    claim = kit.claim(decided=50_000)
    assert kit.ids["late_council"] not in kit.m.council_keys
    kit.step("late_council", "fund.advance", kit.advance(claim, 50_000))
    assert kit.ids["late_council"] in kit.m.council_keys


def test_a_claim_about_another_business_or_learned_twice_changes_nothing(kit: FundKit) -> None:
    claim = kit.claim()
    version = kit.m.version
    assert not kit.m.learn_claim(claim, kit.now)
    other = AdvanceClaim("CASE-2026-00103", "h", kit.ids["buyer"], "P-SOMEONE-ELSE", 1, kit.now)
    assert not kit.m.learn_claim(other, kit.now)
    assert kit.m.version == version


def test_a_refused_advance_leaves_the_money_and_may_be_signed_again_under_a_new_key(kit: FundKit) -> None:
    kit.deposit(100_000)
    claim = kit.claim(decided=50_000)
    kit.step("council", "fund.advance", kit.advance(claim, 50_000))
    [first] = kit.m.pending_movements()
    kit.m.movement_failed(first.key, "account_closed: the beneficiary's account is closed", kit.now)
    assert first.status is MovementStatus.FAILED
    assert kit.m.alerts[-1].code is AlertCode.PAYOUT_FAILED
    assert kit.m.available_fen == 100_000
    kit.step("council", "fund.advance", kit.advance(claim, 50_000))
    [second] = kit.m.pending_movements()
    assert second.key == f"{first.key}:retry-1"


def test_the_business_withdraws_above_its_pledge_owing_nothing_with_nobody_waiting(
    kit: FundKit,
) -> None:
    kit.step("dealer", "fund.pledge", {"amount_fen": MINIMUM})
    kit.deposit(MINIMUM + 80_000)
    refusal = kit.refused("dealer", "fund.withdraw", {"amount_fen": 80_001}, CONFLICT, "withdraw_above_free")
    assert refusal.params == {"free_fen": 80_000, "pledged_fen": MINIMUM}
    claim = kit.claim(decided=50_000)
    kit.refused("dealer", "fund.withdraw", {"amount_fen": 1}, CONFLICT, "advance_outstanding")
    kit.refused("dealer", "fund.pledge", {"amount_fen": 0}, CONFLICT, "advance_outstanding")
    kit.step("council", "fund.advance", kit.advance(claim, 50_000))
    kit.settle()
    kit.refused("dealer", "fund.withdraw", {"amount_fen": 1}, CONFLICT, "fund_owes")
    kit.deposit(50_000)
    kit.step("dealer", "fund.withdraw", {"amount_fen": 80_000})
    [movement] = kit.m.pending_movements()
    assert (movement.kind, movement.beneficiary, movement.key) == (
        FundMovementKind.WITHDRAWAL,
        kit.ids["dealer"],
        f"{kit.m.fund_id}:withdrawal-1",
    )
    kit.settle()
    assert kit.m.ledger.held_fen == MINIMUM


def test_an_unpaid_claim_stops_holding_the_money_after_its_hold(kit: FundKit) -> None:
    kit.deposit(100_000)
    kit.claim(decided=50_000)
    kit.now += timedelta(days=CLAIM_HOLD_DAYS) - timedelta(seconds=1)
    kit.refused("dealer", "fund.withdraw", {"amount_fen": 1}, CONFLICT, "advance_outstanding")
    kit.now += timedelta(seconds=1)
    kit.step("dealer", "fund.withdraw", {"amount_fen": 100_000})
