"""Who each stage waits for, and the funds-over-time lines, without a browser."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.escrow.state import Holdback, Stage
from web.escrow_view import funds_over_time, stage_waiting
from web.templating import local_time

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def stage(number=1, status="awaiting_request", **changes):
    return Stage(
        number=number, name=f"stage {number}", amount_fen=100, open_fen=100, status=status, **changes
    )


@pytest.mark.parametrize(
    ("status", "role", "what", "due_field"),
    [
        ("awaiting_request", "contractor", "wait.request", None),
        ("inspection_requested", "inspector", "wait.report", "report_due"),
        ("rectifying", "contractor", "wait.rework", "rework_due"),
        ("awaiting_acceptance", "owner", "wait.acceptance", "acceptance_due"),
    ],
)
def test_the_current_stage_waits_for_the_party_whose_move_it_is(status, role, what, due_field):
    due = T0 + timedelta(days=3)
    raw = stage(status=status, **({due_field: due} if due_field else {}))
    waiting = stage_waiting(raw, "active", 1)
    assert (waiting.role, waiting.what, waiting.due) == (role, what, due if due_field else None)


def test_later_stages_wait_for_the_current_one_and_nothing_moves_before_funding():
    assert stage_waiting(stage(number=2), "active", 1).what == "wait.earlier_stage"
    assert stage_waiting(stage(number=1), "funding", None).role is None


def test_held_back_items_wait_for_the_owner_and_a_dispute_for_the_council():
    held = stage(status="accepted", holdbacks=[Holdback("door", "gap", 5, status="held")])
    assert stage_waiting(held, "active", 2).role == "owner"
    released = stage(status="accepted", holdbacks=[Holdback("door", "gap", 5, status="released")])
    assert stage_waiting(released, "active", 2).what == "wait.done"
    assert stage_waiting(stage(status="awaiting_acceptance", dispute=1), "active", 1).role == "council"


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
