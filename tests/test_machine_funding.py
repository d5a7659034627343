"""Funding: the deadline, partial and excess deposits, and money that arrives too late."""

from datetime import timedelta

import pytest

from domain.escrow.state import MovementKind
from domain.steps.rejections import RejectionKind, StepRejected
from tests.kits.machine_kit import RETENTION, T0, TOTAL, Kit, funded

PAYOUT, REFUND = MovementKind.PAYOUT, MovementKind.REFUND
FUNDING_DUE = T0 + timedelta(days=14)


def test_a_partial_deposit_is_refunded_when_the_funding_deadline_passes():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(40_000)
    assert kit.m.phase == "funding" and kit.m.shortfall_fen == TOTAL - 40_000
    assert kit.m.next_deadline() == FUNDING_DUE

    kit.run_to(FUNDING_DUE - timedelta(seconds=1))
    assert kit.m.phase == "funding" and kit.m.movements == []

    kit.run_to(FUNDING_DUE)
    assert kit.m.phase == "cancelled"
    assert kit.movements() == {"funding-expired:refund": (REFUND, 40_000)}
    assert kit.alerts("funding_expired") == ["funding:expired"]
    assert not kit.m.finished  # the refund is instructed, not yet done
    kit.settle()
    assert kit.ledger == (40_000, 0, 40_000, 0)
    assert kit.m.finished and kit.m.next_deadline() is None
    assert {s.status for s in kit.m.stages} == {"cancelled"}

    kit.tick(timedelta(days=30))  # nothing more happens
    assert len(kit.m.movements) == 1 and len(kit.m.alerts) == 1


def test_the_funding_deadline_runs_from_creation_even_if_nobody_signs():
    kit = Kit()
    kit.deposit(TOTAL)  # paid in full, but the contractor never signed
    assert kit.m.phase == "draft"
    kit.run_to(FUNDING_DUE)
    assert kit.m.phase == "cancelled"
    assert kit.pending() == {"funding-expired:refund": (REFUND, TOTAL)}
    kit.settle()
    assert kit.ledger == (TOTAL, 0, TOTAL, 0)


def test_an_unfunded_escrow_is_cancelled_without_moving_money():
    kit = Kit()
    kit.sign_contract()
    kit.run_to(FUNDING_DUE)
    assert kit.m.phase == "cancelled" and kit.m.movements == [] and kit.m.finished


def test_deposits_in_instalments_activate_the_escrow_once_complete():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(60_000)
    kit.deposit(TOTAL - 60_000)
    assert kit.m.phase == "active" and kit.m.shortfall_fen == 0 and kit.m.movements == []
    assert kit.m.next_deadline() is None  # no more funding deadline
    kit.run_to(FUNDING_DUE)
    assert kit.m.phase == "active"


def test_money_above_the_contract_total_is_refunded_per_deposit():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(60_000)
    tx = kit.deposit(50_000)  # 10,000 too much
    assert kit.m.phase == "active"
    assert kit.movements() == {f"deposit-{tx}:excess-refund": (REFUND, 10_000)}
    kit.settle()
    assert kit.ledger == (110_000, 0, 10_000, TOTAL)
    tx = kit.deposit(123)  # a stray transfer into a fully funded escrow
    assert kit.pending() == {f"deposit-{tx}:excess-refund": (REFUND, 123)}
    kit.settle()
    assert kit.m.ledger.held_fen == TOTAL


def test_a_deposit_before_signing_is_kept_towards_the_total():
    kit = Kit()
    kit.deposit(TOTAL + 1)
    assert kit.m.phase == "draft"
    assert kit.pending() == {"deposit-dep-1:excess-refund": (REFUND, 1)}
    kit.settle()
    kit.sign_contract()
    assert kit.m.phase == "active"


def test_a_deposit_after_close_or_cancellation_is_refunded_in_full():
    kit = funded()
    kit.complete_all_stages()
    kit.tick(timedelta(days=730))
    kit.settle()
    assert kit.m.phase == "closed"
    tx = kit.deposit(7_000)
    assert kit.pending() == {f"deposit-{tx}:refund": (REFUND, 7_000)}
    kit.settle()
    assert kit.ledger == (TOTAL + 7_000, TOTAL, 7_000, 0)

    kit = Kit()
    kit.sign_contract()
    kit.run_to(FUNDING_DUE)
    tx = kit.deposit(TOTAL)  # the owner paid the day after the deadline
    assert kit.pending() == {f"deposit-{tx}:refund": (REFUND, TOTAL)}
    kit.settle()
    assert kit.ledger == (TOTAL, 0, TOTAL, 0)


def test_a_deposit_is_recorded_once_and_must_be_positive():
    kit = Kit()
    kit.sign_contract()
    tx = kit.deposit(10_000)
    before = kit.m.snapshot()
    with pytest.raises(StepRejected) as caught:
        kit.m.record_deposit(tx, 10_000, kit.now)
    assert (caught.value.kind, caught.value.code) == (RejectionKind.DUPLICATE, "deposit_already_recorded")
    for tx_id, amount in (("dep-x", 0), ("dep-y", -5), ("", 100)):
        with pytest.raises(StepRejected) as caught:
            kit.m.record_deposit(tx_id, amount, kit.now)
        assert (caught.value.kind, caught.value.code) == (RejectionKind.INVALID, "bad_deposit")
    assert kit.m.snapshot() == before
    assert kit.m.ledger.deposited_fen == 10_000


def test_warranty_phase_stray_deposit_is_refunded_and_retention_kept():
    kit = funded()
    kit.complete_all_stages()
    tx = kit.deposit(999)
    assert kit.pending() == {f"deposit-{tx}:excess-refund": (REFUND, 999)}
    kit.settle()
    assert kit.m.ledger.held_fen == RETENTION


def test_a_movement_the_bank_refuses_stays_held_and_alerts_the_council():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(TOTAL + 500)
    (movement,) = kit.m.pending_movements()
    kit.m.movement_failed(movement.key, "beneficiary account closed", kit.now)
    kit.check()
    assert movement.status == "failed" and movement.error == "beneficiary account closed"
    assert kit.m.pending_movements() == [] and kit.m.pending_fen == 500  # not retried, not forgotten
    assert kit.alerts("payout_failed") == ["deposit-dep-1:excess-refund:failed"]
    assert kit.ledger == (TOTAL + 500, 0, 0, TOTAL + 500)
    assert kit.m.phase == "active"


def test_a_repeated_bank_receipt_is_counted_once():
    kit = funded()
    kit.pass_stage(1)
    version = kit.m.version
    kit.m.movement_done(f"{kit.m.escrow_id}:stage-1:release", "bank-again")
    kit.check()
    assert kit.m.version == version and kit.m.ledger.released_fen == 30_000
    assert kit.m.movements[0].tx_id == f"bank-{kit.m.escrow_id}:stage-1:release"
