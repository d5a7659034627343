"""One stage at a time: inspection rounds, deadlines, silence, acceptance and holdbacks."""

import json
from datetime import timedelta

import pytest

from domain.escrow.snapshot import read_summary, summary_document
from domain.escrow.state import Defect, InspectionRequest, ItemEvidence, MovementKind
from domain.escrow.terms import Durations, SilencePolicy
from domain.steps.files import file_hash
from domain.steps.rejections import RejectionKind
from tests.kits.machine_kit import DEFECT, Kit, funded

INVALID, CONFLICT = RejectionKind.INVALID, RejectionKind.CONFLICT
PAYOUT = MovementKind.PAYOUT


# ----------------------------------------------------------- inspection loop
def test_fail_rectify_and_pass_then_release_on_acceptance():
    kit = funded()
    kit.request(1)
    stage = kit.stage(1)
    assert (stage.status, stage.round, stage.report_due) == (
        "inspection_requested",
        1,
        kit.now + timedelta(days=3),
    )
    kit.reject(
        "inspector",
        "inspection.report",
        {"stage": 1, "round": 1, "result": "fail", "report_hash": "sha256:r"},
        INVALID,
        "defects_required",
    )
    kit.reject(
        "inspector",
        "inspection.report",
        {"stage": 1, "round": 2, "result": "pass", "report_hash": "sha256:r"},
        CONFLICT,
        "wrong_round",
    )
    kit.reject(
        "inspector",
        "inspection.report",
        {"stage": 1, "round": 1, "result": "maybe", "report_hash": "sha256:r"},
        INVALID,
        "bad_choice",
    )
    kit.report(1, "fail", [DEFECT])
    assert (stage.status, stage.failed_rounds, stage.report_due) == ("rectifying", 1, None)
    assert stage.last_report.defects[0].cost_estimate_fen == 800
    kit.reject("owner", "stage.accept", {**kit.accept_payload(1)}, CONFLICT, "wrong_stage_state")

    kit.request(1)
    assert (stage.status, stage.round) == ("inspection_requested", 2)
    kit.reject("contractor", "inspection.request", {"stage": 1}, CONFLICT, "wrong_stage_state")
    kit.report(1, "pass")
    assert stage.status == "awaiting_acceptance" and stage.acceptance_due == kit.now + timedelta(days=7)

    kit.reject(
        "owner", "stage.accept", {**kit.accept_payload(1), "amount_fen": 29_999}, INVALID, "amount_mismatch"
    )
    kit.reject(
        "owner",
        "stage.accept",
        {**kit.accept_payload(1), "report_hash": "sha256:report-1-1"},
        INVALID,
        "report_mismatch",
    )
    kit.accept(1)
    assert stage.status == "accepted" and stage.open_fen == 0 and stage.paid_fen == 30_000
    assert kit.pending() == {"stage-1:release": (PAYOUT, 30_000)}
    kit.settle()
    assert kit.m.ledger.released_fen == 30_000
    assert kit.m._current_stage().number == 2


def test_stages_go_strictly_in_order():
    kit = funded()
    kit.reject("contractor", "inspection.request", {"stage": 2}, CONFLICT, "not_current_stage")
    kit.reject("contractor", "inspection.request", {"stage": 5}, INVALID, "no_such_stage")
    kit.reject("contractor", "inspection.request", {"stage": 0}, INVALID, "out_of_range")
    kit.reject(
        "inspector",
        "inspection.report",
        {"stage": 1, "round": 0, "result": "pass", "report_hash": "sha256:r"},
        CONFLICT,
        "wrong_stage_state",
    )
    kit.pass_stage(1)
    kit.reject("contractor", "inspection.request", {"stage": 1}, CONFLICT, "not_current_stage")


def test_nothing_is_inspected_before_the_escrow_is_funded():
    kit = Kit()
    kit.sign_contract()
    kit.deposit(99_999)
    kit.reject("contractor", "inspection.request", {"stage": 1}, CONFLICT, "not_active")


def test_three_failed_rounds_open_a_dispute_automatically():
    kit = funded()
    kit.fail_round(1)
    kit.fail_round(1)
    assert kit.m.disputes == [] and kit.stage(1).dispute is None
    kit.fail_round(1)
    (dispute,) = kit.m.disputes
    assert (dispute.raised_by, dispute.stages, dispute.status) == ("system", [1], "open")
    assert kit.stage(1).dispute == 1 and kit.stage(1).failed_rounds == 3
    assert kit.alerts("dispute_opened") == ["dispute-1:opened"]
    assert kit.m.movements == []  # the money stays held
    # a fourth failure does not open a second dispute
    kit.fail_round(1)
    assert len(kit.m.disputes) == 1


def test_the_failure_limit_is_per_contract():
    kit = funded(durations=Durations(max_failed_rounds=1))
    kit.fail_round(1)
    assert [d.raised_by for d in kit.m.disputes] == ["system"]


def test_an_overdue_inspector_is_reported_to_the_council_once_per_round():
    kit = funded()
    kit.request(1)
    due = kit.now + timedelta(days=3)
    assert kit.m.next_deadline() == due
    kit.run_to(due - timedelta(seconds=1))
    assert kit.alerts() == []
    kit.run_to(due)
    assert kit.alerts("inspection_overdue") == ["stage-1:round-1:inspection-overdue"]
    assert kit.m.next_deadline() is None
    kit.tick(timedelta(days=5))
    kit.tick(timedelta(days=5))
    assert len(kit.alerts()) == 1
    assert kit.stage(1).status == "inspection_requested"  # nothing else changed
    # the late report is still accepted; a new round has a deadline (and alert) of its own
    kit.report(1, "fail", [DEFECT])
    kit.request(1)
    kit.tick(timedelta(days=3))
    assert kit.alerts("inspection_overdue") == [
        "stage-1:round-1:inspection-overdue",
        "stage-1:round-2:inspection-overdue",
    ]


# ------------------------------------------------------------ owner silence
def test_owner_silence_escalates_to_a_dispute_and_the_money_stays_held():
    kit = funded()
    kit.inspected(1)
    due = kit.stage(1).acceptance_due
    assert kit.m.next_deadline() == due
    kit.run_to(due - timedelta(seconds=1))
    assert kit.m.disputes == []
    kit.run_to(due)
    (dispute,) = kit.m.disputes
    assert (dispute.raised_by, dispute.stages, dispute.include_retention) == ("system", [1], False)
    assert kit.m.movements == [] and kit.m.ledger.held_fen == kit.m.contract_total_fen
    assert kit.stage(1).status == "awaiting_acceptance" and kit.stage(1).dispute == 1
    assert kit.alerts() == ["dispute-1:opened"]
    kit.reject("owner", "stage.accept", kit.accept_payload(1), CONFLICT, "stage_frozen")
    kit.tick(timedelta(days=30))
    assert len(kit.m.disputes) == 1 and kit.m.movements == []


def test_owner_silence_releases_the_stage_under_auto_accept():
    kit = funded(policy=SilencePolicy.AUTO_ACCEPT)
    kit.inspected(1)
    kit.tick(timedelta(days=7) - timedelta(seconds=1))
    assert kit.m.movements == []
    kit.tick(timedelta(seconds=1))
    assert kit.stage(1).status == "accepted" and kit.m.disputes == []
    assert kit.pending() == {"stage-1:release": (PAYOUT, 30_000)}
    kit.settle()
    kit.tick(timedelta(days=30))
    assert len(kit.m.movements) == 1 and kit.m.ledger.released_fen == 30_000
    assert kit.m._current_stage().number == 2


def test_auto_accept_does_not_release_a_stage_the_owner_disputed():
    kit = funded(policy=SilencePolicy.AUTO_ACCEPT)
    kit.inspected(1)
    kit.dispute("owner", [1])
    assert kit.m.next_deadline() is None
    kit.tick(timedelta(days=8))
    assert kit.m.movements == [] and kit.stage(1).status == "awaiting_acceptance"


# ------------------------------------------------------- partial acceptance
def test_partial_acceptance_pays_the_rest_and_holds_back_itemised_defects():
    kit = funded()
    report_hash = kit.inspected(1)
    door = {"item": "door", "description": "door gap 4 mm", "amount_fen": 2_000}
    paint = {"item": "paint", "description": "paint runs", "amount_fen": 1_000}

    def partial(pay, holdbacks):
        return {"stage": 1, "pay_fen": pay, "holdbacks": holdbacks, "report_hash": report_hash}

    kit.reject(
        "owner", "stage.accept_partial", partial(28_000, [door, paint]), INVALID, "amounts_do_not_add_up"
    )
    kit.reject("owner", "stage.accept_partial", partial(30_000, []), INVALID, "holdbacks_required")
    kit.reject("owner", "stage.accept_partial", partial(26_000, [door, door]), INVALID, "duplicate_items")
    kit.reject(
        "owner", "stage.accept_partial", partial(30_000, [{**door, "amount_fen": 0}]), INVALID, "out_of_range"
    )
    kit.step("owner", "stage.accept_partial", partial(27_000, [door, paint]))
    stage = kit.stage(1)
    assert (stage.status, stage.open_fen, stage.paid_fen) == ("accepted", 3_000, 27_000)
    assert kit.pending() == {"stage-1:release": (PAYOUT, 27_000)}
    kit.settle()
    assert kit.m._current_stage().number == 2  # the next stage starts; the holdback stays held

    def release(items, amount):
        return {"stage": 1, "items": items, "amount_fen": amount}

    kit.reject("owner", "holdback.release", release(["window"], 2_000), CONFLICT, "no_such_holdback")
    kit.reject("owner", "holdback.release", release([], 1), CONFLICT, "no_such_holdback")
    kit.reject("owner", "holdback.release", release(["door", "door"], 4_000), CONFLICT, "no_such_holdback")
    kit.reject("owner", "holdback.release", release(["door"], 2_001), INVALID, "amount_mismatch")
    kit.reject(
        "contractor", "holdback.release", release(["door"], 2_000), RejectionKind.FORBIDDEN, "wrong_role"
    )
    kit.step("owner", "holdback.release", release(["door"], 2_000))
    assert kit.pending() == {"stage-1:holdback-door:release": (PAYOUT, 2_000)}
    kit.settle()
    kit.reject("owner", "holdback.release", release(["door"], 2_000), CONFLICT, "no_such_holdback")
    kit.step("owner", "holdback.release", release(["paint"], 1_000))
    kit.settle()
    assert (stage.open_fen, stage.paid_fen) == (0, 30_000)
    assert [h.status for h in stage.holdbacks] == ["released", "released"]
    assert kit.m.ledger.released_fen == 30_000


def test_a_holdback_on_the_last_stage_keeps_the_escrow_open_past_the_warranty():
    kit = funded()
    for number in (1, 2, 3):
        kit.pass_stage(number)
    report_hash = kit.inspected(4)
    holdback = {"item": "socket", "description": "loose socket", "amount_fen": 500}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 4, "pay_fen": 9_500, "holdbacks": [holdback], "report_hash": report_hash},
    )
    kit.settle()
    assert kit.m.phase == "warranty"
    kit.tick(timedelta(days=730))
    kit.settle()
    assert kit.m.phase == "warranty" and kit.m.ledger.held_fen == 500  # retention paid, holdback held
    kit.step("owner", "holdback.release", {"stage": 4, "items": ["socket"], "amount_fen": 500})
    kit.settle()
    assert kit.m.phase == "closed" and kit.m.finished
    assert kit.m.ledger.released_fen == kit.m.contract_total_fen


def test_holdbacks_are_released_only_from_a_running_escrow_and_a_real_stage():
    kit = Kit()
    kit.sign_contract()
    release = {"stage": 1, "items": ["door"], "amount_fen": 1_000}
    kit.reject("owner", "holdback.release", release, CONFLICT, "not_active")
    kit.deposit(kit.m.contract_total_fen)
    kit.reject("owner", "holdback.release", {**release, "stage": 9}, INVALID, "no_such_stage")
    kit.reject("owner", "holdback.release", release, CONFLICT, "no_such_holdback")


# ------------------------------------------------------------------ evidence
STAGE_PHOTO, WALL, TILES, REPORT = (file_hash(b) for b in (b"stage", b"wall", b"tiles", b"report.pdf"))


def test_a_request_shows_its_note_and_each_items_note_and_photos_and_a_report_its_pinned_photos():
    kit = funded()
    items = [{"note": "kitchen wall retiled", "files": [WALL]}, {"note": "bathroom socket earthed"}]
    request = {"stage": 1, "note": "ready", "evidence": [STAGE_PHOTO], "items": items}
    kit.step("contractor", "inspection.request", request)
    asked_at = kit.now
    expected = InspectionRequest(
        1,
        "ready",
        [STAGE_PHOTO],
        [ItemEvidence("kitchen wall retiled", [WALL]), ItemEvidence("bathroom socket earthed", [])],
        asked_at,
    )
    assert kit.m.snapshot().stages[0].last_request == expected

    kit.now += timedelta(hours=2)
    pinned = {**DEFECT, "photos": [TILES, WALL]}
    kit.report(1, "fail", [pinned, DEFECT])
    report = kit.m.snapshot().stages[0].last_report
    assert report.defects == [
        Defect(DEFECT["description"], DEFECT["location"], DEFECT["cost_estimate_fen"], [TILES, WALL]),
        Defect(DEFECT["description"], DEFECT["location"], DEFECT["cost_estimate_fen"], []),
    ]
    assert (report.signed_at, report.files) == (kit.now, [])
    assert kit.m.snapshot().stages[0].last_request == expected  # the request stays with its report

    kit.step("contractor", "inspection.request", {"stage": 1})  # the next round's replaces it
    assert kit.m.snapshot().stages[0].last_request == InspectionRequest(2, "-", [], [], kit.now)
    payload = {"stage": 1, "round": 2, "result": "pass", "report_hash": "sha256:r", "files": [REPORT]}
    kit.step("inspector", "inspection.report", payload)
    snapshot = kit.m.snapshot()
    assert (snapshot.stages[0].last_report.files, snapshot.stages[0].last_report.defects) == ([REPORT], [])
    assert read_summary(json.dumps(summary_document(snapshot))) == snapshot  # the read model keeps it all


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("inspection.request", {"stage": 1, "evidence": ["sha256:photos-stage-1"]}),
        ("inspection.request", {"stage": 1, "evidence": ["SHA256:" + "0" * 64]}),
        ("inspection.request", {"stage": 1, "items": [{"note": "wall", "files": ["wall.jpg"]}]}),
        ("dispute.raise", {"stages": [1], "reason": "leak", "evidence": ["sha256:" + "0" * 63]}),
    ],
)
def test_a_file_named_by_anything_but_its_hash_is_refused(action, payload):
    kit = funded()
    role = "contractor" if action == "inspection.request" else "owner"
    kit.reject(role, action, payload, INVALID, "not_a_file_hash")


def test_a_defect_photo_or_report_file_that_is_not_a_hash_is_refused():
    kit = funded()
    kit.request(1)
    report = {"stage": 1, "round": 1, "result": "fail", "report_hash": "sha256:r"}
    defect = {**DEFECT, "photos": ["tiles.jpg"]}
    kit.reject("inspector", "inspection.report", {**report, "defects": [defect]}, INVALID, "not_a_file_hash")
    bad_file = {**report, "defects": [DEFECT], "files": [""]}
    kit.reject("inspector", "inspection.report", bad_file, INVALID, "not_a_file_hash")
