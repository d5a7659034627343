"""The machine harness's own checks: `Kit` (tests/kits/machine_kit.py) notices money that does not add up."""

from datetime import timedelta

from client.escrow_session import conservation_problems
from domain.escrow.state import Movement, MovementKind, MovementReason
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import ESCROW_ID, RETENTION, STAGES, TOTAL, Kit, funded


def test_a_full_contract_moves_every_fen_exactly_once():
    kit = funded()
    kit.complete_all_stages()
    assert kit.ledger == (TOTAL, TOTAL - RETENTION, 0, RETENTION)
    kit.tick(timedelta(days=730))
    kit.settle()
    assert kit.m.phase == "closed" and kit.m.finished
    assert kit.ledger == (TOTAL, TOTAL, 0, 0)
    assert kit.movements() == {
        "stage-1:release": (MovementKind.PAYOUT, 30_000),
        "stage-2:release": (MovementKind.PAYOUT, 30_000),
        "stage-3:release": (MovementKind.PAYOUT, 25_000),
        "stage-4:release": (MovementKind.PAYOUT, 10_000),
        "retention:release": (MovementKind.PAYOUT, RETENTION),
    }
    # the trail is hash-chained from the terms hash, one entry per accepted step
    trail = kit.m.trail
    assert trail[0].prev_hash == kit.m.terms_hash
    assert all(b.prev_hash == a.entry_hash for a, b in zip(trail, trail[1:], strict=False))


def test_planning_never_mutates_and_the_same_step_cannot_be_applied_twice():
    kit = Kit()
    step = kit.sign("owner", "contract.sign", {"terms_hash": kit.m.terms_hash})
    before = kit.m.snapshot()
    for _ in range(3):  # the validator plans and throws the commit away
        kit.m.plan(step, kit.now)
    assert kit.m.snapshot() == before
    kit.submit(step)
    assert kit.m.signed_by == ["owner"]
    kit.refused(step, RejectionKind.CONFLICT, "nonce_reused")


def test_the_conservation_check_notices_money_that_does_not_add_up():
    kit = funded()
    kit.m.ledger.released_fen += 1  # a payout nobody instructed
    assert kit.m.conservation_errors() == ["short by 1 without a change order to explain it"]
    kit.m.ledger.released_fen += TOTAL
    assert "held is negative: -1" in kit.m.conservation_errors()
    kit.m.ledger.released_fen = 0
    kit.m.ledger.deposited_fen += 5  # money nobody can account for
    assert kit.m.conservation_errors() == ["unexplained money held: 100005 free > 100000 owed"]
    kit.m.ledger.deposited_fen -= 5
    bogus = Movement(f"{ESCROW_ID}:x", MovementKind.PAYOUT, TOTAL + 1, MovementReason.ACCEPTED)
    kit.m.movements.append(bogus)
    assert any(e.startswith("pending movements") for e in kit.m.conservation_errors())


def test_the_parts_check_compares_figures_kept_apart():
    """`conservation_problems` weighs the ledger, the stages' own figures and the bank's balance
    against each other: any one of them off, and it says so."""
    kit = funded()
    kit.pass_stage(1)
    in_account = TOTAL - STAGES[0]
    assert conservation_problems(kit.m.snapshot(), in_account) == []

    kept = kit.m.snapshot()
    kept.stages[0].open_fen = STAGES[0]  # stage 1 goes on holding what it paid out
    assert conservation_problems(kept) == [
        f"the parts hold {TOTAL} fen but the account only {in_account}: "
        f"{{'stage-1': {STAGES[0]}, 'stage-2': 30000, 'stage-3': 25000, 'stage-4': 10000, 'retention': 5000}}"
    ]
    misfiled = kit.m.snapshot()
    misfiled.ledger.released_fen -= 10  # ten fen of the payout counted as a refund
    misfiled.ledger.refunded_fen += 10
    assert [p.split(" but ")[0] for p in conservation_problems(misfiled)] == [
        "released_fen 29990",
        "refunded_fen 10",
    ]
    (short,) = conservation_problems(kit.m.snapshot(), in_account - 1)  # the bank holds a fen less
    assert short.startswith(f"the bank holds {in_account - 1} fen for the escrow, its parts {in_account}")
