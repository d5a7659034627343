"""A cancellation only one side signs becomes a dispute once the other lets the window pass."""

from datetime import timedelta

from domain.escrow.machine import CANCELLATION_ANSWER
from domain.escrow.state import DisputeCause, MovementKind
from tests.kits.machine_kit import TOTAL, Kit, funded

SECOND = timedelta(seconds=1)


def test_an_unanswered_cancellation_disputes_everything_still_held():
    kit = funded()
    kit.pass_stage(1)
    kit.step("owner", "cancel.sign", {"reason": "the crew stopped coming"})
    asked = kit.m.cancellation
    assert (asked.asked_by, asked.reason, asked.asked_at, asked.answer_due) == (
        "owner",
        "the crew stopped coming",
        kit.now,
        kit.now + CANCELLATION_ANSWER,
    )
    assert kit.m.next_deadline() == asked.answer_due
    kit.run_to(asked.answer_due - SECOND)
    assert kit.m.disputes == []
    kit.run_to(asked.answer_due)
    (dispute,) = kit.m.disputes
    assert (dispute.raised_by, dispute.stages, dispute.include_retention) == ("owner", [2, 3, 4], True)
    unanswered = DisputeCause.CANCELLATION_UNANSWERED
    assert (dispute.cause, dispute.reason) == (unanswered, "the crew stopped coming")
    assert kit.m.disputed_fen(dispute) == TOTAL - 30_000 and asked.dispute == 1
    assert kit.alerts("dispute_opened") == ["dispute-1:opened"]
    assert kit.m.next_deadline() is None  # frozen until the council decides
    kit.decide(1, "refund", refund_fen=TOTAL - 30_000)
    kit.settle()
    assert kit.ledger == (TOTAL, 30_000, TOTAL - 30_000, 0)


def test_the_other_side_agreeing_in_time_cancels_as_usual():
    kit = funded()
    kit.step("contractor", "cancel.sign", {"reason": "materials doubled in price"})
    kit.run_to(kit.m.cancellation.answer_due - SECOND)
    kit.step("owner", "cancel.sign", {})
    assert kit.m.phase == "cancelled" and kit.m.disputes == []
    assert kit.pending() == {"cancel:refund": (MovementKind.REFUND, TOTAL)}
    kit.tick(timedelta(days=30))
    assert kit.m.disputes == []


def test_agreeing_after_the_dispute_opened_still_cancels_and_ends_it():
    kit = funded()
    kit.step("contractor", "cancel.sign", {})
    kit.run_to(kit.m.cancellation.answer_due)
    assert [d.status for d in kit.m.disputes] == ["open"]
    kit.step("owner", "cancel.sign", {})
    assert kit.m.phase == "cancelled" and [d.status for d in kit.m.disputes] == ["cancelled"]


def test_only_what_is_not_already_disputed_goes_into_the_new_dispute():
    kit = funded()
    kit.dispute("owner", [1])
    kit.step("contractor", "cancel.sign", {})
    kit.run_to(kit.m.cancellation.answer_due)
    assert [(d.raised_by, d.stages, d.include_retention) for d in kit.m.disputes] == [
        ("owner", [1], False),
        ("contractor", [2, 3, 4], True),
    ]


def test_with_everything_in_dispute_already_the_council_is_told_instead():
    kit = funded()
    kit.dispute("owner", [1, 2, 3, 4], include_retention=True)
    kit.step("owner", "cancel.sign", {})
    kit.run_to(kit.m.cancellation.answer_due)
    assert len(kit.m.disputes) == 1 and kit.alerts("cancellation_unanswered") == ["cancellation:unanswered"]
    assert kit.m.next_deadline() is None


def test_a_cancellation_asked_before_funding_waits_for_the_work_to_start():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(25_000)
    kit.step("owner", "cancel.sign", {})
    asked_at = kit.now
    assert kit.m.next_deadline() == kit.m.funding_due  # no window while nothing is built
    kit.tick(timedelta(days=10))
    kit.deposit(TOTAL - 25_000)
    assert kit.m.phase == "active" and kit.m.cancellation.answer_due == kit.now + CANCELLATION_ANSWER
    assert kit.m.cancellation.asked_at == asked_at  # the window restarts, the request keeps its day
    kit.run_to(kit.m.cancellation.answer_due)
    assert [d.stages for d in kit.m.disputes] == [[1, 2, 3, 4]]


def test_an_unfunded_contract_cancelled_by_one_side_ends_at_its_funding_deadline():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(25_000)
    kit.step("contractor", "cancel.sign", {})
    kit.run_to(kit.m.funding_due)
    assert kit.m.phase == "cancelled" and kit.m.disputes == []
    assert kit.pending() == {"funding-expired:refund": (MovementKind.REFUND, 25_000)}
