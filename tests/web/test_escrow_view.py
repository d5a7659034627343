"""Who each stage waits for, and the funds-over-time lines, without a browser."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.kits.machine_kit import DEFECT, Kit, funded
from web.escrow_view import funds_over_time, stage_waiting
from web.templating import local_time

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def waiting(kit: Kit, number: int = 1) -> tuple[str | None, str, datetime | None]:
    snapshot = kit.m.snapshot()
    found = stage_waiting(snapshot.stages[number - 1], snapshot)
    return found.role, found.what, found.due


def test_the_current_stage_waits_for_the_party_whose_move_it_is_until_the_machines_due():
    kit = funded()
    assert waiting(kit) == ("contractor", "wait.request", None)
    kit.request(1)
    assert waiting(kit) == ("inspector", "wait.report", kit.stage(1).report_due)
    kit.report(1, "fail", [DEFECT])
    assert waiting(kit) == ("contractor", "wait.rework", None)
    kit.inspected(1)
    assert waiting(kit) == ("owner", "wait.acceptance", kit.stage(1).acceptance_due)


def test_an_overdue_report_is_still_awaited_with_nothing_more_to_happen():
    kit = funded()
    kit.request(1)
    kit.tick(timedelta(days=4))
    assert waiting(kit) == ("inspector", "wait.report", None)


def test_later_stages_wait_for_the_current_one_and_nothing_moves_before_funding():
    kit = Kit()
    assert waiting(kit) == (None, "wait.phase_draft", None)
    kit.fund()
    assert waiting(kit, 2) == (None, "wait.earlier_stage", None)


def test_held_back_items_wait_for_the_owner_and_a_dispute_for_the_council():
    kit = funded()
    report_hash = kit.inspected(1)
    door = {"item": "door", "description": "gap", "amount_fen": 2_000}
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 1, "pay_fen": 28_000, "holdbacks": [door], "report_hash": report_hash},
    )
    kit.settle()
    assert waiting(kit) == ("owner", "wait.holdback", None)
    kit.step("owner", "holdback.release", {"stage": 1, "items": ["door"], "amount_fen": 2_000})
    assert waiting(kit) == (None, "wait.done", None)
    kit.inspected(2)
    kit.dispute("owner", [2])
    assert waiting(kit, 2) == ("council", "wait.dispute", None)


@dataclass
class Entry:
    kind: str
    amount_fen: int
    created_at: datetime
    balance_after_fen: int


def test_funds_over_time_are_running_totals_from_the_bank_statement():
    entries = [
        Entry("payout", 600, T0 + timedelta(hours=2), 400),
        Entry("deposit", 1000, T0, 1000),
        Entry("refund", 100, T0 + timedelta(hours=3), 300),
    ]
    now = T0 + timedelta(days=1)
    lines = dict(funds_over_time(entries, now))
    assert lines["deposit"] == [
        (T0, 0),
        (T0, 1000),
        (T0 + timedelta(hours=2), 1000),
        (T0 + timedelta(hours=3), 1000),
        (now, 1000),
    ]
    assert [value for _, value in lines["payout"]] == [0, 0, 600, 600, 600]
    assert [value for _, value in lines["refund"]] == [0, 0, 0, 100, 100]
    assert [value for _, value in lines["held"]] == [0, 1000, 400, 300, 300]
    assert funds_over_time([], now) == []


def test_moments_from_a_snapshot_arrive_as_iso_text_and_are_shown_like_datetimes():
    moment = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)
    assert local_time(moment.isoformat()) == local_time(moment)
    assert local_time("") == ""
