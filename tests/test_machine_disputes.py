"""Disputes: what they freeze and how each kind of decision is enforced."""

from datetime import timedelta

from domain.escrow.state import MovementKind
from domain.escrow.terms import SilencePolicy
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import DEFECT, TOTAL, Kit, decision, funded

INVALID, CONFLICT = RejectionKind.INVALID, RejectionKind.CONFLICT
PAYOUT, REFUND = MovementKind.PAYOUT, MovementKind.REFUND


def stage_two_disputed() -> Kit:
    kit = funded()
    kit.pass_stage(1)
    kit.inspected(2)
    kit.dispute("owner", [2])
    return kit


def test_a_dispute_freezes_the_stage_and_a_split_moves_exactly_pay_and_refund():
    kit = stage_two_disputed()
    (dispute,) = kit.m.disputes
    assert (dispute.raised_by, dispute.stages, kit.m.disputed_fen(dispute)) == ("owner", [2], 30_000)
    assert kit.stage(2).acceptance_due is None and kit.m.next_deadline() is None
    kit.reject("owner", "stage.accept", kit.accept_payload(2), CONFLICT, "stage_frozen")

    for pay, refund in ((20_000, 9_999), (20_000, 10_001), (30_001, 0)):
        kit.reject(
            "council",
            "dispute.decide",
            decision(1, "split", pay_fen=pay, refund_fen=refund),
            INVALID,
            "amounts_do_not_add_up",
        )
    kit.reject(
        "council",
        "dispute.decide",
        decision(1, "split", pay_fen=-1, refund_fen=30_001),
        INVALID,
        "out_of_range",
    )
    kit.reject("council", "dispute.decide", decision(2, "split", pay_fen=30_000), CONFLICT, "no_open_dispute")
    kit.reject("council", "dispute.decide", decision(1, "halve"), INVALID, "bad_choice")

    kit.decide(1, "split", pay_fen=18_000, refund_fen=12_000)
    assert kit.pending() == {"dispute-1:pay": (PAYOUT, 18_000), "dispute-1:refund": (REFUND, 12_000)}
    assert (dispute.status, dispute.outcome, dispute.pay_fen, dispute.refund_fen) == (
        "decided",
        "split",
        18_000,
        12_000,
    )
    assert kit.stage(2).status == "settled" and kit.stage(2).open_fen == 0
    assert kit.m._current_stage().number == 3
    kit.settle()
    assert kit.ledger == (TOTAL, 48_000, 12_000, 40_000)
    kit.reject("council", "dispute.decide", decision(1, "split", pay_fen=30_000), CONFLICT, "no_open_dispute")
    kit.reject("owner", "stage.accept", kit.accept_payload(2), CONFLICT, "not_current_stage")


def test_a_split_can_give_everything_to_one_side():
    kit = stage_two_disputed()
    kit.decide(1, "split", pay_fen=30_000, refund_fen=0)
    assert kit.pending() == {"dispute-1:pay": (PAYOUT, 30_000)}


def test_a_refund_decision_returns_exactly_the_disputed_amount():
    kit = funded()
    kit.pass_stage(1)
    kit.dispute("contractor", [2, 3], reason="the owner changed the design verbally")
    assert kit.m.disputed_fen(kit.m.disputes[0]) == 55_000
    kit.reject(
        "council",
        "dispute.decide",
        decision(1, "refund", refund_fen=54_999),
        INVALID,
        "amounts_do_not_add_up",
    )
    kit.reject(
        "council",
        "dispute.decide",
        decision(1, "refund", pay_fen=1, refund_fen=55_000),
        INVALID,
        "amounts_do_not_add_up",
    )
    kit.decide(1, "refund", refund_fen=55_000)
    assert kit.pending() == {"dispute-1:refund": (REFUND, 55_000)}
    assert [s.status for s in kit.m.stages] == ["accepted", "settled", "settled", "awaiting_request"]
    kit.settle()
    kit.pass_stage(4)
    assert kit.m.phase == "warranty"
    assert kit.ledger == (TOTAL, 40_000, 55_000, 5_000)


def test_a_rework_order_sends_the_stage_back_with_a_deadline():
    kit = stage_two_disputed()
    kit.reject("council", "dispute.decide", decision(1, "rework"), INVALID, "bad_rework")
    kit.reject(
        "council", "dispute.decide", decision(1, "rework", rework_days=10, pay_fen=1), INVALID, "bad_rework"
    )
    kit.decide(1, "rework", rework_days=10)
    stage = kit.stage(2)
    assert (stage.status, stage.dispute, stage.failed_rounds) == ("rectifying", None, 0)
    assert stage.rework_due == kit.now + timedelta(days=10) and list(kit.movements()) == ["stage-1:release"]
    assert kit.m.next_deadline() == stage.rework_due

    kit.tick(timedelta(days=10))
    assert kit.alerts("rework_overdue") == ["stage-2:dispute-1:rework-overdue"]
    kit.tick(timedelta(days=10))
    assert len(kit.alerts("rework_overdue")) == 1
    assert stage.status == "rectifying" and len(kit.m.movements) == 1  # only stage 1's release

    kit.request(2)
    assert (stage.round, stage.rework_due) == (2, None)
    kit.report(2)
    kit.accept(2)
    kit.settle()
    assert kit.m.ledger.released_fen == 60_000


def test_rework_is_refused_for_accepted_work_and_for_the_retention():
    kit = funded()
    report_hash = kit.inspected(1)
    holdback = {"item": "door", "description": "door gap", "amount_fen": 3_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 27_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    kit.settle()
    kit.dispute("contractor", [1], reason="the door gap is within tolerance")
    assert kit.m.disputed_fen(kit.m.disputes[0]) == 3_000  # only what is still held
    kit.reject(
        "owner",
        "holdback.release",
        {"stage": 1, "items": ["door"], "amount_fen": 3_000},
        CONFLICT,
        "stage_frozen",
    )
    kit.reject("council", "dispute.decide", decision(1, "rework", rework_days=5), INVALID, "bad_rework")
    kit.dispute("owner", [], include_retention=True)
    kit.reject("council", "dispute.decide", decision(2, "rework", rework_days=5), INVALID, "bad_rework")

    kit.decide(1, "split", pay_fen=2_000, refund_fen=1_000)
    assert kit.stage(1).holdbacks[0].status == "settled" and kit.stage(1).status == "accepted"
    kit.decide(2, "split", pay_fen=0, refund_fen=5_000)
    assert kit.m.retention.open_fen == 0 and kit.m.retention.dispute is None
    assert kit.pending() == {
        "dispute-1:pay": (PAYOUT, 2_000),
        "dispute-1:refund": (REFUND, 1_000),
        "dispute-2:refund": (REFUND, 5_000),
    }


def test_what_can_and_cannot_be_disputed():
    kit = Kit()
    kit.sign_contract()
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": [1]}, CONFLICT, "not_disputable")
    kit.deposit(TOTAL)
    kit.pass_stage(1)
    kit.reject("owner", "dispute.raise", {"reason": "x"}, INVALID, "nothing_disputed")
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": [1]}, CONFLICT, "nothing_held")
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": [9]}, INVALID, "no_such_stage")
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": ["2"]}, INVALID, "no_such_stage")
    kit.reject("owner", "dispute.raise", {"reason": " "}, INVALID, "not_text")
    kit.dispute("owner", [2, 2, 3], include_retention=True, evidence=[file_hash(b"photo")])
    assert (kit.m.disputes[0].stages, kit.m.disputed_fen(kit.m.disputes[0])) == ([2, 3], 60_000)
    kit.reject("contractor", "dispute.raise", {"reason": "x", "stages": [3]}, CONFLICT, "already_disputed")
    kit.reject(
        "contractor",
        "dispute.raise",
        {"reason": "x", "include_retention": True},
        CONFLICT,
        "retention_not_disputable",
    )
    kit.dispute("contractor", [4])
    assert [d.number for d in kit.m.disputes] == [1, 2]
    assert kit.alerts("dispute_opened") == ["dispute-1:opened", "dispute-2:opened"]


def test_a_decided_dispute_lets_silence_rules_apply_again_to_the_next_stage():
    kit = funded(policy=SilencePolicy.AUTO_ACCEPT)
    kit.inspected(1)
    kit.dispute("owner", [1])
    kit.tick(timedelta(days=8))
    assert kit.m.movements == []
    kit.decide(1, "split", pay_fen=25_000, refund_fen=5_000)
    kit.settle()
    kit.inspected(2)
    kit.tick(timedelta(days=7))
    assert kit.pending() == {"stage-2:release": (PAYOUT, 30_000)}


def test_a_rework_after_a_pass_under_dispute_does_not_keep_the_old_acceptance_deadline():
    """Three failures open a dispute; the work then passes while the dispute is open, and the
    council orders rework. The reworked stage must not be released (or escalated) when the
    acceptance window of the superseded pass runs out."""
    for policy in SilencePolicy:
        kit = funded(policy=policy)
        for _ in range(3):
            kit.fail_round(1)
        assert [d.raised_by for d in kit.m.disputes] == ["system"]
        kit.request(1)
        kit.report(1, "pass")  # inspections go on while the dispute is open
        kit.decide(1, "rework", rework_days=30)
        assert kit.stage(1).status == "rectifying"
        assert kit.m.next_deadline() == kit.stage(1).rework_due

        kit.tick(timedelta(days=8))  # past the old acceptance window, before the rework deadline
        assert kit.m.movements == [] and len(kit.m.disputes) == 1
        assert kit.stage(1).status == "rectifying"
        kit.request(1)
        kit.report(1, "fail", [DEFECT])
        kit.request(1)
        kit.report(1, "pass")
        kit.accept(1)
        assert kit.pending() == {"stage-1:release": (PAYOUT, 30_000)}


def test_an_inspection_pending_when_rework_is_ordered_raises_no_stale_alert():
    kit = funded()
    kit.request(1)
    kit.dispute("owner", [1], reason="the waterproofing was skipped")
    kit.decide(1, "rework", rework_days=10)
    assert kit.stage(1).report_due is None  # the inspector has nothing to report until asked again
    kit.tick(timedelta(days=3))
    assert kit.alerts("inspection_overdue") == []
    kit.request(1)
    kit.tick(timedelta(days=3))
    assert kit.alerts("inspection_overdue") == ["stage-1:round-2:inspection-overdue"]


def test_a_second_rework_order_in_the_same_round_gets_its_own_alert():
    kit = stage_two_disputed()
    kit.decide(1, "rework", rework_days=3)
    kit.tick(timedelta(days=3))
    kit.dispute("owner", [2], reason="the contractor did not come back")
    kit.decide(2, "rework", rework_days=3)
    kit.tick(timedelta(days=3))
    alerts = kit.alerts("rework_overdue")
    assert len(alerts) == 2 and len(set(alerts)) == 2, alerts


def test_a_decision_that_moves_money_waits_for_the_top_up_like_any_release():
    """A change order raised stage 2 to 200,000 while only 70,000 is held: paying the dispute
    out before the top-up would instruct the bank to move money the escrow does not have."""
    kit = funded()
    kit.pass_stage(1)
    plan = kit.change_payload([200_000], retention=5_000)
    kit.step("owner", "change_order.sign", plan)
    kit.step("contractor", "change_order.sign", plan)
    assert (kit.m.shortfall_fen, kit.m.ledger.held_fen) == (135_000, 70_000)
    kit.request(2)
    kit.dispute("owner", [2])
    for outcome, amounts in (("split", {"pay_fen": 200_000}), ("refund", {"refund_fen": 200_000})):
        kit.reject("council", "dispute.decide", decision(1, outcome, **amounts), CONFLICT, "awaiting_topup")
    kit.decide(1, "rework", rework_days=5)  # moves no money: allowed
    kit.dispute("owner", [2])
    kit.deposit(135_000)
    kit.decide(2, "split", pay_fen=150_000, refund_fen=50_000)
    assert kit.pending() == {"dispute-2:pay": (PAYOUT, 150_000), "dispute-2:refund": (REFUND, 50_000)}
    kit.settle()
    assert kit.ledger == (TOTAL + 135_000, 180_000, 50_000, 5_000)


def test_rework_is_only_ordered_on_work_under_way():
    """Rework of a stage nobody has started would start its deadline before the work could begin."""
    kit = funded()
    kit.pass_stage(1)
    kit.dispute("owner", [2, 3])
    kit.reject("council", "dispute.decide", decision(1, "rework", rework_days=5), INVALID, "bad_rework")
