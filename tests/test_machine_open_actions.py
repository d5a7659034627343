"""What the escrow machine declares it awaits, and that each `due` is the very moment it acts.

For every wait: who, what, until when and the consequence; then the clock is run to one second
before the due (nothing happens) and to the due (the declared consequence happens).
"""

import json
from datetime import timedelta
from typing import Any

import pytest

from domain.escrow.snapshot import read_summary, summary_document
from domain.escrow.state import Phase, StageStatus
from domain.escrow.terms import SilencePolicy
from domain.open_actions import AtDeadline, OpenAction
from domain.roles import Role
from domain.steps.rejections import StepRejected
from tests.kits.machine_kit import Kit, funded

SECOND = timedelta(seconds=1)


def awaited_actions(kit: Kit) -> list[OpenAction]:
    """What the escrow waits for; the steps a side may take at will are tested at the end."""
    return [a for a in kit.m.open_actions() if a.at_deadline is not AtDeadline.NOT_AWAITED]


def awaited(kit: Kit) -> list[tuple[str, Role, str | None]]:
    return [(a.action, a.role, a.ref) for a in awaited_actions(kit)]


def the(kit: Kit, action: str) -> OpenAction:
    (found,) = [a for a in awaited_actions(kit) if a.action == action]
    return found


def just_before(kit: Kit, action: OpenAction) -> None:
    """Run to a second before the due: the machine has done nothing, the action is still awaited."""
    assert action.due is not None and kit.m.next_deadline() == action.due
    version = kit.m.version
    kit.run_to(action.due - SECOND)
    assert (
        kit.m.version == version + 1 and action in kit.m.open_actions()
    )  # on_time ran, changed nothing else
    kit.run_to(action.due)


def test_each_side_signs_the_contract_by_the_funding_deadline_or_it_is_cancelled():
    kit = Kit()
    sign = [a for a in kit.m.open_actions() if a.action == "contract.sign"]
    assert [(a.role, a.party_id, a.due, a.at_deadline) for a in sign] == [
        (Role.OWNER, "P-OWNER", kit.m.funding_due, AtDeadline.CANCELS),
        (Role.CONTRACTOR, "P-CONTRACTOR", kit.m.funding_due, AtDeadline.CANCELS),
    ]
    kit.step("owner", "contract.sign", {"terms_hash": kit.m.terms_hash})
    assert awaited(kit) == [("contract.sign", Role.CONTRACTOR, None)]
    just_before(kit, sign[1])
    assert kit.m.phase is Phase.CANCELLED and kit.m.open_actions() == []


def test_the_owner_deposits_by_the_funding_deadline_or_the_contract_ends():
    kit = Kit()
    kit.sign_contract()
    deposit = the(kit, "deposit")
    assert (deposit.role, deposit.due, deposit.at_deadline) == (
        Role.OWNER,
        kit.m.funding_due,
        AtDeadline.CANCELS,
    )
    kit.deposit(1_000)
    just_before(kit, the(kit, "deposit"))
    assert kit.m.phase is Phase.CANCELLED and kit.pending() == {"funding-expired:refund": ("refund", 1_000)}


def test_the_contractor_requests_an_inspection_without_a_deadline():
    kit = funded()
    assert awaited(kit) == [("inspection.request", Role.CONTRACTOR, "stage-1")]
    request = the(kit, "inspection.request")
    assert (request.due, request.at_deadline) == (None, AtDeadline.NOTHING) and kit.m.next_deadline() is None


def test_the_inspector_reports_by_report_due_or_the_council_is_alerted_once():
    kit = funded()
    kit.request(1)
    report = the(kit, "inspection.report")
    assert (report.role, report.party_id, report.at_deadline) == (
        Role.INSPECTOR,
        "P-INSPECTOR",
        AtDeadline.ALERTS_COUNCIL,
    )
    assert report.due == kit.stage(1).report_due
    assert kit.alerts("inspection_overdue") == []
    just_before(kit, report)
    assert kit.alerts("inspection_overdue") == ["stage-1:round-1:inspection-overdue"]
    still = the(kit, "inspection.report")  # still awaited, but nothing more happens at any time
    assert (still.due, still.at_deadline) == (None, AtDeadline.NOTHING)


def test_the_owner_accepts_by_acceptance_due_or_the_silence_escalates():
    kit = funded()
    kit.inspected(1)
    accept = the(kit, "stage.accept")
    assert (accept.role, accept.due, accept.at_deadline) == (
        Role.OWNER,
        kit.stage(1).acceptance_due,
        AtDeadline.ESCALATES,
    )
    assert accept.since == kit.stage(1).last_report.signed_at
    just_before(kit, accept)
    assert kit.m.disputes[0].raised_by == "system"
    assert awaited(kit) == [("dispute.decide", Role.COUNCIL, "dispute-1")]


def test_under_auto_accept_the_owners_silence_pays_the_stage():
    kit = funded(policy=SilencePolicy.AUTO_ACCEPT)
    kit.inspected(1)
    accept = the(kit, "stage.accept")
    assert accept.at_deadline is AtDeadline.AUTO_ACCEPTS
    just_before(kit, accept)
    assert kit.stage(1).status is StageStatus.ACCEPTED and "stage-1:release" in kit.pending()


def test_a_change_order_waits_for_the_other_sides_signature():
    kit = funded()
    kit.step("owner", "change_order.sign", kit.change_payload([20_000, 20_000, 10_000], retention=5_000))
    assert ("change_order.sign", Role.CONTRACTOR, "change-1") in awaited(kit)
    assert the(kit, "change_order.sign").due is None


def test_a_cancellation_waits_for_the_other_side_until_answer_due_then_becomes_a_dispute():
    kit = funded()
    kit.step("contractor", "cancel.sign", {"reason": "materials doubled in price"})
    cancel = the(kit, "cancel.sign")
    asked = kit.m.cancellation
    assert (cancel.role, cancel.since, cancel.due, cancel.at_deadline) == (
        Role.OWNER,
        asked.asked_at,
        asked.answer_due,
        AtDeadline.DISPUTES_CANCELLATION,
    )
    just_before(kit, cancel)
    assert kit.m.cancellation.dispute == 1 and kit.m.disputes[0].raised_by == "contractor"
    assert ("dispute.decide", Role.COUNCIL, "dispute-1") in awaited(kit)


def test_an_open_dispute_waits_for_the_council_and_the_stage_for_nothing_else():
    kit = funded()
    kit.inspected(1)
    kit.dispute("owner", [1])
    decide = the(kit, "dispute.decide")
    assert (decide.party_id, decide.since, decide.due) == (None, kit.m.disputes[0].raised_at, None)
    assert awaited(kit) == [("dispute.decide", Role.COUNCIL, "dispute-1")]  # acceptance frozen
    assert kit.m.snapshot().disputable.stages == [2, 3, 4]


def test_ordered_rework_is_due_by_rework_due_or_the_council_is_alerted():
    kit = funded()
    kit.inspected(1)
    kit.dispute("owner", [1])
    kit.decide(1, "rework", rework_days=10)
    rework = the(kit, "inspection.request")
    assert (rework.role, rework.due, rework.at_deadline) == (
        Role.CONTRACTOR,
        kit.stage(1).rework_due,
        AtDeadline.ALERTS_COUNCIL,
    )
    just_before(kit, rework)
    assert kit.alerts("rework_overdue") == ["stage-1:dispute-1:rework-overdue"]


def test_the_owner_may_claim_until_the_warranty_ends_then_the_unclaimed_retention_is_paid():
    kit = funded()
    kit.complete_all_stages()
    kit.settle()
    claim = the(kit, "warranty.claim")
    assert (claim.role, claim.due, claim.at_deadline) == (
        Role.OWNER,
        kit.m.retention.warranty_due,
        AtDeadline.PAYS_RETENTION,
    )
    just_before(kit, claim)
    assert "retention:release" in kit.pending() and kit.m.open_actions() == []


def test_held_back_items_wait_for_the_owners_release():
    kit = funded()
    report_hash = kit.inspected(1)
    door = {"item": "door", "description": "gap", "amount_fen": 2_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 28_000, "holdbacks": [door], "report_hash": report_hash},
    )
    assert ("holdback.release", Role.OWNER, "stage-1") in awaited(kit)


def test_what_may_be_disputed_is_what_the_dispute_step_accepts():
    kit = funded()
    assert kit.m.disputable().stages == [1, 2, 3, 4] and kit.m.disputable().retention
    kit.dispute("owner", [2], include_retention=True)
    assert kit.m.disputable().stages == [1, 3, 4] and not kit.m.disputable().retention
    kit.reject("owner", "dispute.raise", {"reason": "x", "stages": [2]}, "conflict", "already_disputed")


def test_the_stored_summary_says_whom_the_escrow_waits_for():
    kit = funded()
    kit.request(1)
    stored = read_summary(json.dumps(summary_document(kit.m.snapshot())))
    assert stored.waits_for("P-INSPECTOR") and not stored.waits_for("P-OWNER")


def test_an_open_warranty_claim_waits_for_the_owners_withdrawal_past_the_warranty():
    kit = funded()
    kit.complete_all_stages()
    kit.settle()
    kit.step("owner", "warranty.claim", {"description": "bathroom leak", "amount_fen": 2_000})
    withdraw = the(kit, "warranty.withdraw")
    assert (withdraw.role, withdraw.ref, withdraw.since, withdraw.due) == (
        Role.OWNER,
        "claim-1",
        kit.m.claims[0].filed_at,
        None,
    )
    kit.run_to(kit.m.retention.warranty_due)
    assert awaited(kit) == [("warranty.withdraw", Role.OWNER, "claim-1")]
    kit.step("owner", "warranty.withdraw", {"claim": 1})
    assert kit.m.open_actions() == []


# ------------------------------------------- the steps a side may take at will (NOT_AWAITED)
SIDES = ("owner", "contractor")


def may(kit: Kit, action: str) -> list[tuple[Role, str | None, str | None]]:
    """Who may take this step at will now, as the machine declares it (never with a due)."""
    found = [
        a for a in kit.m.open_actions() if a.action == action and a.at_deadline is AtDeadline.NOT_AWAITED
    ]
    assert all(a.due is None and a.since is None for a in found)
    return [(a.role, a.party_id, a.ref) for a in found]


def accepted(kit: Kit, role: str, action: str, payload: dict) -> bool:
    """Whether the machine's handler accepts this step now (planned only: nothing is committed)."""
    try:
        kit.m.plan(kit.sign(role, action, payload), kit.now)
    except StepRejected:
        return False
    return True


def both(ref: str | None = None) -> list[tuple[Role, str | None, str | None]]:
    return [(Role.OWNER, "P-OWNER", ref), (Role.CONTRACTOR, "P-CONTRACTOR", ref)]


def test_either_side_may_propose_a_cancellation_until_one_asks_or_the_phase_ends():
    kit = Kit()
    assert may(kit, "cancel.sign") == both()
    assert all(accepted(kit, side, "cancel.sign", {"reason": "x"}) for side in SIDES)
    kit.step("owner", "cancel.sign", {"reason": "moving abroad"})
    assert may(kit, "cancel.sign") == [] and not accepted(kit, "owner", "cancel.sign", {"reason": "x"})
    assert awaited(kit)[-1] == ("cancel.sign", Role.CONTRACTOR, None)  # the answer is awaited instead
    done = funded()
    done.complete_all_stages()
    assert may(done, "cancel.sign") == []
    assert not any(accepted(done, side, "cancel.sign", {"reason": "x"}) for side in SIDES)


def test_either_side_may_raise_a_dispute_while_something_is_disputable():
    kit = Kit()
    assert may(kit, "dispute.raise") == [] and not accepted(kit, "owner", "dispute.raise", {"reason": "x"})
    kit.fund()
    assert may(kit, "dispute.raise") == both()
    payload = {"reason": "x", "stages": kit.m.disputable().stages}
    assert all(accepted(kit, side, "dispute.raise", payload) for side in SIDES)
    kit.dispute("owner", [1, 2, 3, 4], include_retention=True)
    assert may(kit, "dispute.raise") == []
    assert not accepted(kit, "contractor", "dispute.raise", {"reason": "x", "include_retention": True})


def test_either_side_may_propose_a_change_order_while_the_plan_may_change():
    kit = Kit()
    assert may(kit, "change_order.sign") == []
    assert not accepted(kit, "owner", "change_order.sign", kit.change_payload([50_000, 45_000], 5_000))
    kit.fund()
    plan = kit.change_payload([50_000, 45_000], retention=5_000)
    assert may(kit, "change_order.sign") == both("change-1")
    assert all(accepted(kit, side, "change_order.sign", plan) for side in SIDES)
    kit.step("owner", "change_order.sign", plan)
    # the contractor's countersignature is awaited; the owner may still propose another plan
    assert may(kit, "change_order.sign") == [(Role.OWNER, "P-OWNER", "change-1")]
    other = kit.change_payload([40_000, 55_000], retention=5_000)
    assert accepted(kit, "owner", "change_order.sign", other)
    kit.dispute("owner", include_retention=True)
    assert may(kit, "change_order.sign") == []
    assert not any(accepted(kit, side, "change_order.sign", other) for side in SIDES)


def test_either_side_may_take_an_open_dispute_without_a_case_to_the_council():
    kit = funded()
    kit.inspected(1)
    kit.dispute("owner", [1])
    assert may(kit, "claim.file") == both("dispute-1")
    parties = {"P-OWNER", "P-CONTRACTOR"}

    def file() -> Any:
        return kit.m.plan_case(dispute=1, case_id="CASE-1", parties=parties, disputed_fen=30_000)

    link = file()  # accepted
    link()
    assert may(kit, "claim.file") == []
    with pytest.raises(StepRejected):
        file()
    kit.dispute("contractor", [2])
    assert may(kit, "claim.file") == both("dispute-2")
    kit.decide(2, "refund", refund_fen=30_000)
    assert may(kit, "claim.file") == []


def test_what_a_side_may_do_does_not_make_the_escrow_wait_for_it():
    kit = funded()
    assert may(kit, "dispute.raise") == both()  # the owner may act, but nothing waits for the owner
    stored = read_summary(json.dumps(summary_document(kit.m.snapshot())))
    assert stored.awaited() == [a for a in stored.open_actions if a.at_deadline is not AtDeadline.NOT_AWAITED]
    assert stored.waits_for("P-CONTRACTOR") and not stored.waits_for("P-OWNER")
