"""Retention through the warranty period: claims, expiry, withdrawal and retention disputes."""

from datetime import timedelta

from domain.escrow.state import MovementKind
from domain.escrow.terms import Durations
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import RETENTION, TOTAL, Kit, funded

INVALID, CONFLICT = RejectionKind.INVALID, RejectionKind.CONFLICT
PAYOUT, REFUND = MovementKind.PAYOUT, MovementKind.REFUND
WARRANTY = timedelta(days=730)


def in_warranty(**options) -> Kit:
    kit = funded(**options)
    kit.complete_all_stages()
    assert kit.m.retention.warranty_due == kit.now + kit.m.terms.durations.warranty_days * timedelta(days=1)
    return kit


def claim(kit: Kit, amount: int, description: str = "bathroom leak") -> int:
    kit.step("owner", "warranty.claim", {"description": description, "amount_fen": amount})
    return len(kit.m.claims)


def test_claims_are_filed_only_in_warranty_and_never_beyond_the_retention():
    kit = funded()
    payload = {"description": "leak", "amount_fen": 1_000}
    kit.reject("owner", "warranty.claim", payload, CONFLICT, "not_in_warranty")
    kit.complete_all_stages()
    kit.reject(
        "owner",
        "warranty.claim",
        {**payload, "amount_fen": RETENTION + 1},
        INVALID,
        "claim_exceeds_retention",
    )
    kit.reject("contractor", "warranty.claim", payload, RejectionKind.FORBIDDEN, "wrong_role")
    kit.reject("owner", "warranty.claim", {**payload, "amount_fen": 0}, INVALID, "out_of_range")
    claim(kit, 3_000)
    kit.reject(
        "owner", "warranty.claim", {**payload, "amount_fen": 2_001}, INVALID, "claim_exceeds_retention"
    )
    claim(kit, 2_000, "cracked tile")  # exactly the rest
    assert [(c.number, c.amount_fen, c.status) for c in kit.m.claims] == [
        (1, 3_000, "open"),
        (2, 2_000, "open"),
    ]
    assert kit.pending() == {} and kit.m.ledger.held_fen == RETENTION  # claims move no money


def test_at_expiry_the_unclaimed_retention_is_paid_and_the_claimed_part_held_until_withdrawn():
    kit = in_warranty()
    claim(kit, 2_000)
    kit.tick(WARRANTY - timedelta(seconds=1))
    assert not kit.m.retention.expired and kit.pending() == {}
    kit.tick(timedelta(seconds=1))
    assert kit.m.retention.expired and kit.m.retention.open_fen == 2_000
    assert kit.pending() == {"retention:release": (PAYOUT, 3_000)}
    kit.settle()
    assert kit.m.phase == "warranty" and not kit.m.finished and kit.m.ledger.held_fen == 2_000
    assert kit.m.next_deadline() is None
    kit.reject(
        "owner", "warranty.claim", {"description": "late", "amount_fen": 1}, CONFLICT, "not_in_warranty"
    )
    kit.reject("owner", "warranty.withdraw", {"claim": 2}, CONFLICT, "no_open_claim")

    kit.step("owner", "warranty.withdraw", {"claim": 1})
    assert kit.pending() == {"warranty-claim-1:release": (PAYOUT, 2_000)}
    assert kit.m.phase == "closed"
    kit.settle()
    assert kit.m.finished and kit.ledger == (TOTAL, TOTAL, 0, 0)
    kit.reject("owner", "warranty.withdraw", {"claim": 1}, CONFLICT, "no_open_claim")


def test_a_claim_withdrawn_before_expiry_is_paid_with_the_rest_at_expiry():
    kit = in_warranty()
    claim(kit, 4_000)
    kit.step("owner", "warranty.withdraw", {"claim": 1})
    assert kit.m.claims[0].status == "withdrawn" and kit.pending() == {}
    claim(kit, 1_000)  # the withdrawn amount no longer counts against the retention
    kit.step("owner", "warranty.withdraw", {"claim": 2})
    kit.tick(WARRANTY)
    assert kit.pending() == {"retention:release": (PAYOUT, RETENTION)}
    kit.settle()
    assert kit.m.phase == "closed" and kit.m.finished


def test_a_dispute_over_the_claimed_retention_is_split_by_the_council():
    kit = in_warranty()
    claim(kit, 2_000)
    kit.tick(WARRANTY)
    kit.settle()
    kit.dispute("contractor", include_retention=True, reason="the leak is the owner's own fitting")
    kit.reject("owner", "warranty.withdraw", {"claim": 1}, CONFLICT, "retention_frozen")
    kit.reject(
        "council",
        "dispute.decide",
        {
            "dispute": 1,
            "outcome": "split",
            "reasons": "r",
            "decision_hash": "h",
            "pay_fen": 500,
            "refund_fen": 1_000,
        },
        INVALID,
        "amounts_do_not_add_up",
    )
    kit.decide(1, "split", pay_fen=500, refund_fen=1_500)
    assert kit.m.claims[0].status == "settled" and kit.m.retention.open_fen == 0
    assert kit.pending() == {"dispute-1:pay": (PAYOUT, 500), "dispute-1:refund": (REFUND, 1_500)}
    assert kit.m.phase == "closed"
    kit.settle()
    assert kit.ledger == (TOTAL, TOTAL - 1_500, 1_500, 0)


def test_expiry_during_a_retention_dispute_pays_nothing_until_the_decision():
    kit = in_warranty()
    claim(kit, 1_000)
    kit.dispute("owner", include_retention=True)
    kit.tick(WARRANTY)
    assert kit.m.retention.expired and kit.pending() == {} and kit.m.phase == "warranty"
    kit.decide(1, "refund", refund_fen=RETENTION)  # the whole disputed retention
    assert kit.pending() == {"dispute-1:refund": (REFUND, RETENTION)}
    kit.settle()
    assert kit.m.phase == "closed" and kit.m.finished
    assert kit.ledger == (TOTAL, TOTAL - RETENTION, RETENTION, 0)


def test_the_warranty_period_is_per_contract():
    kit = in_warranty(durations=Durations(warranty_days=5 * 365))
    kit.tick(WARRANTY)
    assert kit.pending() == {}
    kit.tick(timedelta(days=5 * 365) - WARRANTY)
    assert kit.pending() == {"retention:release": (PAYOUT, RETENTION)}


def test_a_contract_without_retention_closes_once_the_last_stage_is_paid():
    kit = funded(retention=0)
    for number in range(1, len(kit.m.stages) + 1):
        kit.pass_stage(number)
    assert kit.m.phase == "closed" and kit.m.finished and kit.m.ledger.held_fen == 0
    kit.reject(
        "owner", "warranty.claim", {"description": "leak", "amount_fen": 1}, CONFLICT, "not_in_warranty"
    )


def test_a_retention_decided_in_full_by_a_dispute_closes_the_escrow():
    kit = in_warranty()
    kit.dispute("owner", include_retention=True)
    kit.decide(1, "refund", refund_fen=RETENTION)
    assert kit.m.phase == "closed"
    kit.settle()
    assert kit.m.finished and kit.ledger == (TOTAL, TOTAL - RETENTION, RETENTION, 0)


def test_the_warranty_expiry_is_the_next_deadline():
    kit = in_warranty()
    assert kit.m.next_deadline() == kit.m.retention.warranty_due == kit.now + WARRANTY
    kit.tick(WARRANTY)
    assert kit.m.next_deadline() is None
