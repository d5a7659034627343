"""An escrow dispute before a case ends when the case's claimant withdraws it."""

from datetime import timedelta

from domain.escrow.state import MovementKind
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import Kit, funded

INVALID, CONFLICT, FORBIDDEN = RejectionKind.INVALID, RejectionKind.CONFLICT, RejectionKind.FORBIDDEN
CASE = "CASE-2026-00009"


def before_a_case(kit: Kit, dispute: int) -> None:
    kit.m.plan_case(
        dispute=dispute,
        case_id=CASE,
        parties={kit.m.terms.owner.party_id, kit.m.terms.contractor.party_id},
        disputed_fen=kit.m.disputed_fen(kit.m.disputes[dispute - 1]),
    )()


def withdrawal(dispute: int = 1, case_id: str = CASE) -> dict:
    return {"dispute": dispute, "case_id": case_id}


def passed_stage_two_in_a_case() -> Kit:
    kit = funded()
    kit.pass_stage(1)
    kit.inspected(2)
    kit.dispute("owner", [2])
    before_a_case(kit, 1)
    return kit


def test_a_withdrawn_dispute_unfreezes_the_stage_with_a_fresh_acceptance_window():
    kit = passed_stage_two_in_a_case()
    assert kit.stage(2).acceptance_due is None and kit.m.next_deadline() is None
    kit.step("owner", "dispute.withdraw", withdrawal())
    (dispute,) = kit.m.disputes
    assert (dispute.status, dispute.outcome, kit.stage(2).dispute) == ("withdrawn", None, None)
    window = kit.m.terms.durations.acceptance_days
    assert kit.stage(2).acceptance_due == kit.now + timedelta(days=window)
    assert kit.m.next_deadline() == kit.stage(2).acceptance_due
    assert kit.pending() == {} and kit.alerts("dispute_withdrawn") == ["dispute-1:withdrawn"]
    kit.accept(2)  # the stage goes on as if the dispute had never been
    assert kit.pending() == {"stage-2:release": (MovementKind.PAYOUT, kit.stage(2).amount_fen)}
    kit.reject("owner", "dispute.withdraw", withdrawal(), CONFLICT, "no_open_dispute")


def test_only_the_disputes_own_case_withdraws_it():
    kit = passed_stage_two_in_a_case()
    kit.reject("owner", "dispute.withdraw", withdrawal(case_id="CASE-2026-00010"), CONFLICT, "not_that_case")
    kit.reject("owner", "dispute.withdraw", withdrawal(dispute=2), CONFLICT, "no_open_dispute")
    kit.reject("owner", "dispute.withdraw", {"dispute": 1}, INVALID, "missing_fields")
    kit.reject("council", "dispute.withdraw", withdrawal(), FORBIDDEN, "wrong_role")
    kit.reject("inspector", "dispute.withdraw", withdrawal(), FORBIDDEN, "wrong_role")
    kit.step("contractor", "dispute.withdraw", withdrawal())  # the case checked who its claimant is
    assert kit.m.disputes[0].status == "withdrawn"


def test_a_dispute_no_case_decides_cannot_be_withdrawn_here():
    kit = funded()
    kit.pass_stage(1)
    kit.inspected(2)
    kit.dispute("owner", [2])
    kit.reject("owner", "dispute.withdraw", withdrawal(), CONFLICT, "not_that_case")


def test_a_retention_dispute_withdrawn_after_the_warranty_ran_out_releases_what_nobody_claims():
    kit = funded()
    kit.complete_all_stages()
    kit.step("owner", "warranty.claim", {"description": "leak", "amount_fen": 1_000})
    kit.dispute("owner", include_retention=True)
    before_a_case(kit, 1)
    kit.run_to(kit.m.retention.warranty_due)
    assert kit.pending() == {} and kit.m.phase == "warranty"  # frozen by the dispute
    kit.step("owner", "dispute.withdraw", withdrawal())
    unclaimed = kit.m.terms.retention_fen - 1_000
    assert kit.pending() == {"retention:release": (MovementKind.PAYOUT, unclaimed)}
    kit.settle()
    kit.step("owner", "warranty.withdraw", {"claim": 1})
    kit.settle()
    assert kit.m.phase == "closed"


def test_a_mutual_cancellation_names_the_cases_it_ended():
    kit = passed_stage_two_in_a_case()
    kit.dispute("contractor", [3])  # no case: nobody to tell
    assert kit.m.cancelled_cases() == []
    kit.step("owner", "cancel.sign", {})
    kit.step("contractor", "cancel.sign", {})
    assert [d.status for d in kit.m.disputes] == ["cancelled", "cancelled"]
    assert kit.m.cancelled_cases() == [CASE]
