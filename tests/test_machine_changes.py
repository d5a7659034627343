"""Change orders and mutual cancellation."""

from datetime import timedelta

from domain.escrow.state import MovementKind
from domain.escrow.terms import SilencePolicy
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import TOTAL, Kit, funded

INVALID, CONFLICT = RejectionKind.INVALID, RejectionKind.CONFLICT
PAYOUT, REFUND = MovementKind.PAYOUT, MovementKind.REFUND


# ------------------------------------------------------------- change orders
def test_a_change_order_needs_both_signatures_and_a_lower_total_is_refunded():
    kit = funded()
    kit.pass_stage(1)
    plan = kit.change_payload([20_000, 20_000, 10_000], retention=5_000)
    assert plan["from_stage"] == 2
    kit.step("owner", "change_order.sign", plan)
    assert kit.m.change_proposal.signed_by == ["owner"]
    assert [s.amount_fen for s in kit.m.stages] == [30_000, 30_000, 25_000, 10_000]  # not yet
    kit.reject("owner", "change_order.sign", plan, CONFLICT, "already_signed")

    kit.step("contractor", "change_order.sign", plan)
    assert [s.amount_fen for s in kit.m.stages] == [30_000, 20_000, 20_000, 10_000]
    assert [s.name for s in kit.m.stages][1:] == ["new stage 1", "new stage 2", "new stage 3"]
    assert kit.stage(1).status == "accepted"  # the accepted stage is kept as it was
    assert (kit.m.changes_applied, kit.m.change_proposal, kit.m.contract_total_fen) == (1, None, 85_000)
    assert kit.pending() == {"change-1:refund": (REFUND, 15_000)}
    kit.settle()
    assert kit.ledger == (TOTAL, 30_000, 15_000, 55_000)
    kit.reject("owner", "change_order.sign", plan, CONFLICT, "wrong_change_no")


def test_a_higher_total_blocks_releases_until_the_top_up_arrives():
    kit = funded()
    kit.inspected(1)
    plan = kit.change_payload([40_000, 25_000, 20_000], retention=5_000)  # +20,000
    kit.step("contractor", "change_order.sign", plan)
    kit.step("owner", "change_order.sign", plan)
    assert kit.m.shortfall_fen == 20_000 and kit.m.movements == []
    kit.reject("owner", "stage.accept", kit.accept_payload(1), CONFLICT, "awaiting_topup")

    kit.deposit(5_000)
    assert kit.m.shortfall_fen == 15_000
    kit.reject("owner", "stage.accept", kit.accept_payload(1), CONFLICT, "awaiting_topup")
    kit.deposit(15_000)
    assert kit.m.shortfall_fen == 0 and kit.m.movements == []  # an exact top-up refunds nothing
    kit.accept(1)
    kit.settle()
    assert kit.ledger == (TOTAL + 20_000, 30_000, 0, 90_000)


def test_a_holdback_is_not_released_while_the_escrow_is_short():
    kit = funded()
    report_hash = kit.inspected(1)
    holdback = {"item": "door", "description": "door gap", "amount_fen": 1_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 29_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    kit.settle()
    plan = kit.change_payload([31_000, 25_000, 10_000], retention=5_000)  # +1,000
    kit.step("owner", "change_order.sign", plan)
    kit.step("contractor", "change_order.sign", plan)
    release = {"stage": 1, "items": ["door"], "amount_fen": 1_000}
    kit.reject("owner", "holdback.release", release, CONFLICT, "awaiting_topup")
    kit.deposit(1_000)
    kit.step("owner", "holdback.release", release)
    assert kit.pending() == {"stage-1:holdback-door:release": (PAYOUT, 1_000)}


def test_silence_cannot_release_or_escalate_while_the_escrow_is_short():
    for policy in SilencePolicy:
        kit = funded(policy=policy)
        kit.inspected(1)
        due = kit.stage(1).acceptance_due
        plan = kit.change_payload([35_000, 25_000, 10_000], retention=5_000)  # +5,000
        kit.step("owner", "change_order.sign", plan)
        kit.step("contractor", "change_order.sign", plan)
        assert kit.m.next_deadline() is None  # the acceptance deadline waits for the money
        kit.run_to(due + timedelta(days=1))
        assert kit.m.movements == [] and kit.m.disputes == []
        assert kit.stage(1).status == "awaiting_acceptance"

        kit.deposit(5_000)
        assert kit.m.next_deadline() == due  # overdue now: the workflow applies it at once
        kit.tick(timedelta(0))
        if policy is SilencePolicy.AUTO_ACCEPT:
            assert kit.pending() == {"stage-1:release": (PAYOUT, 30_000)}
        else:
            assert kit.m.movements == [] and [d.raised_by for d in kit.m.disputes] == ["system"]


def test_a_countersignature_over_a_different_plan_replaces_the_proposal():
    kit = funded()
    plan_a = kit.change_payload([25_000, 25_000, 25_000, 20_000], retention=5_000)
    plan_b = kit.change_payload([30_000, 30_000, 30_000], retention=5_000)
    kit.step("owner", "change_order.sign", plan_a)
    kit.step("contractor", "change_order.sign", plan_b)
    proposal = kit.m.change_proposal
    assert (proposal.plan_hash, proposal.signed_by) == (plan_b["plan_hash"], ["contractor"])
    assert kit.m.changes_applied == 0 and len(kit.m.stages) == 4
    kit.reject("contractor", "change_order.sign", plan_b, CONFLICT, "already_signed")
    # the owner's signature over the replaced plan A now only proposes it again
    kit.step("owner", "change_order.sign", plan_a)
    assert kit.m.change_proposal.signed_by == ["owner"] and kit.m.changes_applied == 0
    kit.step("contractor", "change_order.sign", plan_a)
    assert [s.amount_fen for s in kit.m.stages] == [25_000, 25_000, 25_000, 20_000]
    assert kit.m.changes_applied == 1 and kit.m.movements == []  # same total


def test_change_orders_are_checked_against_the_plan_and_the_stage_in_progress():
    kit = funded()
    plan = kit.change_payload([50_000, 45_000], retention=5_000)
    kit.reject(
        "owner", "change_order.sign", {**plan, "plan_hash": "sha256:other"}, INVALID, "plan_hash_mismatch"
    )
    kit.reject("owner", "change_order.sign", {**plan, "change_no": 2}, CONFLICT, "wrong_change_no")
    kit.reject("owner", "change_order.sign", {**plan, "stages": []}, INVALID, "stages_required")
    kit.reject(
        "owner",
        "change_order.sign",
        {**plan, "stages": [{"name": "free", "amount_fen": 0}]},
        INVALID,
        "out_of_range",
    )
    kit.reject("inspector", "change_order.sign", plan, RejectionKind.FORBIDDEN, "wrong_role")
    kit.step("owner", "change_order.sign", plan)
    kit.request(1)  # stage 1 is now under way: a plan from stage 1 can no longer be countersigned
    kit.reject("contractor", "change_order.sign", plan, CONFLICT, "stage_not_changeable")
    assert len(kit.m.stages) == 4


def test_a_change_order_during_funding_changes_what_must_be_deposited():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(90_000)
    plan = kit.change_payload([40_000, 40_000], retention=5_000)  # 85,000
    assert plan["from_stage"] == 1
    kit.step("owner", "change_order.sign", plan)
    kit.step("contractor", "change_order.sign", plan)
    assert kit.m.phase == "active"
    assert kit.pending() == {"change-1:refund": (REFUND, 5_000)}
    kit.settle()
    assert kit.ledger == (90_000, 0, 5_000, 85_000)


def test_no_change_order_once_the_works_are_done():
    kit = funded()
    kit.complete_all_stages()
    plan = kit.change_payload([1_000], retention=5_000)
    kit.reject("owner", "change_order.sign", plan, CONFLICT, "not_changeable")


def test_a_change_order_cannot_replace_a_disputed_stage():
    kit = funded()
    kit.request(1)
    kit.dispute("owner", [3], reason="wrong tiles delivered for stage 3")
    # a plan from stage 2 would drop stage 3 and leave dispute 1 pointing at nothing
    dropping = kit.change_payload([40_000], retention=5_000, from_stage=2)
    kit.reject("owner", "change_order.sign", dropping, CONFLICT, "stage_not_changeable")
    plan = kit.change_payload([40_000], retention=5_000)
    assert plan["from_stage"] == 4  # only the stages after the disputed one may change
    kit.step("owner", "change_order.sign", plan)
    kit.step("contractor", "change_order.sign", plan)
    assert [s.amount_fen for s in kit.m.stages] == [30_000, 30_000, 25_000, 40_000]
    assert kit.stage(3).dispute == 1
    kit.deposit(30_000)
    kit.decide(1, "split", pay_fen=5_000, refund_fen=20_000)
    assert kit.stage(3).status == "settled"
    assert kit.pending() == {"dispute-1:pay": (PAYOUT, 5_000), "dispute-1:refund": (REFUND, 20_000)}


def test_a_change_order_cannot_replace_a_disputed_retention():
    kit = funded()
    kit.dispute("owner", [], include_retention=True)
    plan = kit.change_payload([30_000, 25_000, 10_000], retention=0)
    kit.reject("owner", "change_order.sign", plan, CONFLICT, "retention_frozen")


# -------------------------------------------------------------- cancellation
def test_one_cancellation_signature_does_nothing_and_two_refund_all_held():
    kit = funded()
    kit.pass_stage(1)
    kit.step("owner", "cancel.sign", {"reason": "moving abroad"})
    assert kit.m.phase == "active" and kit.m.cancel_signed_by == ["owner"] and kit.pending() == {}
    kit.reject("owner", "cancel.sign", {}, CONFLICT, "already_signed")
    kit.reject("inspector", "cancel.sign", {}, RejectionKind.FORBIDDEN, "wrong_role")
    kit.inspected(2)  # the work goes on meanwhile

    kit.step("contractor", "cancel.sign", {})
    assert kit.m.phase == "cancelled"
    assert kit.pending() == {"cancel:refund": (REFUND, 70_000)}
    assert [s.status for s in kit.m.stages] == ["accepted", "cancelled", "cancelled", "cancelled"]
    assert kit.m.obligations_fen == 0 and kit.m.next_deadline() is None
    kit.settle()
    assert kit.ledger == (TOTAL, 30_000, 70_000, 0)  # accepted work stays paid
    assert kit.m.finished
    kit.reject("contractor", "inspection.request", {"stage": 2}, CONFLICT, "not_active")
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": [2]}, CONFLICT, "not_disputable")
    kit.reject("owner", "cancel.sign", {}, CONFLICT, "not_cancellable")


def test_cancellation_lets_an_instructed_release_finish_and_refunds_holdbacks():
    kit = funded()
    report_hash = kit.inspected(1)
    holdback = {"item": "door", "description": "door gap", "amount_fen": 1_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 29_000, "holdbacks": [holdback], "report_hash": report_hash},
    )
    assert kit.pending() == {"stage-1:release": (PAYOUT, 29_000)}  # the bank has not answered yet
    kit.step("contractor", "cancel.sign", {})
    kit.step("owner", "cancel.sign", {})
    assert kit.pending() == {"stage-1:release": (PAYOUT, 29_000), "cancel:refund": (REFUND, 71_000)}
    assert kit.stage(1).holdbacks[0].status == "refunded"
    kit.settle()
    assert kit.ledger == (TOTAL, 29_000, 71_000, 0)


def test_cancellation_closes_open_disputes_and_is_refused_in_warranty():
    kit = funded()
    kit.dispute("contractor", [1, 2])
    kit.step("owner", "cancel.sign", {})
    kit.step("contractor", "cancel.sign", {})
    assert [d.status for d in kit.m.disputes] == ["cancelled"]
    kit.reject(
        "council",
        "dispute.decide",
        {
            "dispute": 1,
            "outcome": "refund",
            "reasons": "r",
            "decision_hash": "h",
            "refund_fen": 60_000,
        },
        CONFLICT,
        "no_open_dispute",
    )
    kit.settle()
    assert kit.ledger == (TOTAL, 0, TOTAL, 0)

    kit = funded()
    kit.complete_all_stages()
    kit.reject("owner", "cancel.sign", {}, CONFLICT, "not_cancellable")


def test_both_parties_can_cancel_before_funding_completes():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(25_000)
    kit.step("owner", "cancel.sign", {})
    kit.step("contractor", "cancel.sign", {})
    assert kit.m.phase == "cancelled" and kit.pending() == {"cancel:refund": (REFUND, 25_000)}
    kit.settle()
    kit.tick(timedelta(days=14))  # the funding deadline does not refund a second time
    assert len(kit.m.movements) == 1 and kit.ledger == (25_000, 0, 25_000, 0)


def test_a_settled_retention_is_never_planned_again():
    """Found by the property tests: re-planning a retention a dispute already paid paid it twice."""
    kit = funded()
    kit.pass_stage(1)
    kit.dispute("owner", include_retention=True)
    kit.decide(1, "split", pay_fen=5_000, refund_fen=0)
    kit.settle()
    plan = kit.change_payload([30_000, 25_000, 10_000], retention=5_000)
    kit.reject("owner", "change_order.sign", plan, RejectionKind.CONFLICT, "retention_settled")
