"""Case machine, step 4: the draw, strikes and independence declarations."""

from datetime import date, timedelta

import pytest

from domain.case.state import CasePhase
from domain.steps.rejections import RejectionKind
from expert_panels.draw import exclusion_code, verify_draw, verify_failed_draw
from expert_panels.registry import Affiliation
from tests.kits.dispute_kit import BranchKit, expert

INVALID, FORBIDDEN, CONFLICT = RejectionKind.INVALID, RejectionKind.FORBIDDEN, RejectionKind.CONFLICT
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)
SEEDS = [f"seed-{n}" for n in range(12)]


def at_draw(**kit_options) -> BranchKit:
    kit = BranchKit(**kit_options)
    kit.to_draw()
    assert kit.m.phase is CasePhase.DRAW
    return kit


def specialists(kit: BranchKit, ids) -> list[str]:
    by_id = {e.expert_id: e for e in kit.experts}
    return [i for i in ids if "waterproofing" in by_id[i].specialties]


def tight_roster() -> list:
    """Exactly two main specialists (EXP-001, EXP-002): losing either breaks the quota of 2."""
    return [expert(1), expert(2), *(expert(n, "plumbing") for n in range(3, 7))]


def verifies(kit: BranchKit) -> None:
    assert verify_draw(kit.record(), kit.recorded_candidates()) == []


# ----------------------------------------------------------------- panel size
@pytest.mark.parametrize(
    ("disputed_fen", "size"),
    [(1, 1), (499_999, 1), (500_000, 3), (5_000_000, 3)],
)
def test_one_expert_below_the_small_claim_threshold_three_otherwise(disputed_fen, size):
    kit = at_draw(disputed_fen=disputed_fen)
    seats = kit.draw()
    assert len(seats) == size and kit.chair == seats[0]
    assert len(specialists(kit, seats)) >= min(2, size)  # the main-specialty quota, capped by the size
    assert {kit.m.round.seats[s].party_id for s in seats} == {f"P-{s}" for s in seats}
    assert kit.m.phase is CasePhase.PANEL and kit.m.round.strike_due == kit.now + timedelta(days=2)
    verifies(kit)


def test_the_appeal_panel_has_five_and_nobody_from_the_first_panel_not_even_who_left_it():
    kit = at_draw()
    seats = kit.draw()
    leaver = seats[1]
    kit.step(leaver, "declaration.sign", {"independent": False, "reason": "I know the foreman"})
    kit.decide([600_000, 400_000, 500_000], outcome="split")
    first_panel = set(kit.seats)
    assert leaver not in first_panel and len(first_panel) == 3
    kit.step("claimant", "decision.object", {"reason": "the moisture readings were ignored"})
    request = kit.m.draw_request(kit.now)
    assert request.panel_size == 5 and set(request.excluded) >= first_panel | {leaver}
    appeal = kit.draw(seed="appeal")
    assert len(appeal) == 5 and not set(appeal) & (first_panel | {leaver})
    assert not set(kit.record().alternates) & (first_panel | {leaver})
    assert len(specialists(kit, appeal)) >= 2
    for former in first_panel:
        assert kit.record().exclusions[former] == "excluded: sat on the first-instance panel"
    verifies(kit)


# ------------------------------------------------------------------ who sits
def test_conflicted_inactive_over_cap_and_unlinked_experts_are_never_seated():
    roster = [
        expert(1, affiliations=[Affiliation("ORG-OWNER", "employed", date(2024, 1, 1), date(2024, 6, 30))]),
        expert(2, active=False),
        expert(3, open_cases=3),
        expert(4),  # no signing key: cannot sign a declaration, so cannot sit
        expert(5, affiliations=[Affiliation("ORG-CONTRACTOR", "paid", date(2020, 1, 1), date(2022, 12, 31))]),
        expert(6),
        expert(7),
        expert(8, open_cases=2),
        *(expert(n, "plumbing") for n in range(9, 13)),
    ]
    kept_out = {"EXP-001", "EXP-002", "EXP-003", "EXP-004"}
    for seed in SEEDS:
        kit = at_draw()
        kit.use_experts(roster, unlinked=("EXP-004",))
        seats = kit.draw(seed)
        record = kit.record()
        assert not kept_out & (set(seats) | set(record.alternates)), seed
        assert {i: exclusion_code(r) for i, r in record.exclusions.items()} == {
            "EXP-001": "conflict",
            "EXP-002": "inactive",
            "EXP-003": "over_workload_cap",
        }
        assert "EXP-004" not in record.candidate_ids  # never a candidate
        assert "EXP-004" not in {c.expert_id for c in kit.m.round.candidates}
        verifies(kit)


def test_an_unfillable_draw_alerts_and_retries_a_day_later():
    kit = at_draw()
    kit.use_experts([expert(1), *(expert(n, "plumbing") for n in range(2, 8))])  # one main specialist
    first_try = kit.now
    assert kit.draw() == []
    assert kit.m.phase is CasePhase.DRAW and kit.m.round.draw is None
    assert kit.alerts("panel_unfillable") == [f"round-1:draw-failed:{first_try.date().isoformat()}"]
    assert kit.m.draw_request(kit.now) is None and kit.m.next_deadline() == first_try + DAY
    kit.run_to(first_try + DAY - SECOND)
    assert kit.m.draw_request(kit.now) is None
    kit.run_to(first_try + DAY)
    assert kit.m.draw_request(kit.now) is not None
    kit.draw()  # the registry has not changed: fails again, alerts again for the new day
    assert len(kit.alerts("panel_unfillable")) == 2 and kit.m.next_deadline() == kit.now + DAY
    kept = kit.m.round.failed_draw  # the latest attempt, for the council's page and verify-draw
    assert (kept.attempts, kept.attempted_at) == (2, first_try + DAY)
    assert kept.draw.problem == "2 waterproofing expert(s) needed, 1 eligible"
    assert verify_failed_draw(kept.draw, kept.candidates) == []
    kit.use_experts([*kit.experts, expert(20)])
    kit.tick(DAY)
    seats = kit.draw()
    assert len(seats) == 3 and kit.m.phase is CasePhase.PANEL and kit.m.draw_retry_at is None
    assert kit.m.round.failed_draw == kept  # the panel's round still says what went before it
    verifies(kit)


def test_a_draw_request_changed_to_two_seats_is_recorded_and_verifies():
    kit = at_draw()
    seats = kit.draw_sized(2)
    assert len(seats) == 2 and len(specialists(kit, seats)) == 2
    verifies(kit)


# ------------------------------------------------ recorded draw after changes
def decline_then_strike(kit: BranchKit) -> None:
    kit.step(kit.seats[0], "declaration.sign", {"independent": False, "reason": "conflict"})
    kit.step("respondent", "strike.submit", {"expert_id": kit.seats[-1], "reason": "too close to the owner"})


def strike_then_timeout(kit: BranchKit) -> None:
    kit.step("claimant", "strike.submit", {"expert_id": kit.seats[0], "reason": "wrote for the trade"})
    for expert_id in kit.seats[:-1]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.tick(timedelta(days=2))  # the last seat never declared


def chair_declines_and_the_newcomer_times_out(kit: BranchKit) -> None:
    kit.tick(DAY)
    kit.step(kit.chair, "declaration.sign", {"independent": False, "reason": "ill"})
    for expert_id in kit.seats[:-1]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.tick(timedelta(days=3))  # the newcomer never declared


@pytest.mark.parametrize(
    "scenario", [decline_then_strike, strike_then_timeout, chair_declines_and_the_newcomer_times_out]
)
def test_the_recorded_draw_verifies_after_declines_strikes_and_timeouts(scenario):
    kit = at_draw()
    kit.draw()
    scenario(kit)
    assert kit.m.phase is CasePhase.PANEL
    record = kit.record()
    assert len(record.replacements) == 2 and set(record.panel) == set(kit.seats)
    verifies(kit)
    for replacement in record.replacements:
        assert replacement.leaving_id in kit.m.set_aside
        assert replacement.leaving_id not in kit.seats


# -------------------------------------------------------------------- strikes
def test_each_party_strikes_one_panel_member_with_a_reason_within_the_window():
    kit = at_draw()
    seats = kit.draw()
    alternate = kit.record().alternates[0]
    kit.reject("claimant", "strike.submit", {"expert_id": alternate, "reason": "r"}, CONFLICT, "not_on_panel")
    kit.reject("claimant", "strike.submit", {"expert_id": "EXP-999", "reason": "r"}, CONFLICT, "not_on_panel")
    kit.reject("claimant", "strike.submit", {"expert_id": seats[0]}, INVALID, "missing_fields")
    kit.reject("claimant", "strike.submit", {"expert_id": seats[0], "reason": " "}, INVALID, "not_text")
    kit.reject("council", "strike.submit", {"expert_id": seats[0], "reason": "r"}, FORBIDDEN, "wrong_role")
    kit.reject(seats[1], "strike.submit", {"expert_id": seats[0], "reason": "r"}, FORBIDDEN, "wrong_role")

    kit.step("claimant", "strike.submit", {"expert_id": seats[0], "reason": "reviewed the contractor"})
    assert seats[0] not in kit.seats and kit.m.round.strikes == {"claimant": seats[0]}
    assert kit.m.set_aside[seats[0]] == "struck: claimant: reviewed the contractor"
    kit.reject("claimant", "strike.submit", {"expert_id": seats[1], "reason": "r"}, CONFLICT, "strike_used")
    kit.step("respondent", "strike.submit", {"expert_id": seats[1], "reason": "blogs about us"})
    assert kit.m.round.strikes == {"claimant": seats[0], "respondent": seats[1]}
    kit.reject("respondent", "strike.submit", {"expert_id": seats[2], "reason": "r"}, CONFLICT, "strike_used")
    verifies(kit)


def test_no_strike_after_the_strike_window():
    kit = at_draw()
    kit.draw()
    kit.tick(DAY)
    kit.step(kit.seats[1], "declaration.sign", {"independent": False, "reason": "busy"})  # newcomer due later
    for expert_id in kit.seats[:-1]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.run_to(kit.m.round.strike_due + SECOND)
    assert kit.m.phase is CasePhase.PANEL  # the newcomer has not declared yet
    assert kit.m.next_deadline() == kit.m.round.seats[kit.seats[-1]].declaration_due
    kit.reject(
        "claimant",
        "strike.submit",
        {"expert_id": kit.seats[0], "reason": "r"},
        CONFLICT,
        "strike_window_closed",
    )
    kit.step(kit.seats[-1], "declaration.sign", {"independent": True})
    assert kit.m.phase is CasePhase.EVIDENCE and kit.m.round.formed_at == kit.now
    kit.reject(
        "claimant", "strike.submit", {"expert_id": kit.seats[0], "reason": "r"}, CONFLICT, "wrong_phase"
    )


@pytest.mark.parametrize("seed", SEEDS[:6])
def test_a_struck_expert_is_never_seated_again_even_after_a_restarted_draw(seed):
    kit = at_draw()
    kit.use_experts(tight_roster())
    seats = kit.draw(seed)
    struck = specialists(kit, seats)[0]
    kit.step("claimant", "strike.submit", {"expert_id": struck, "reason": "sat with the contractor before"})
    # no alternate holds the main specialty: the draw restarts a day later
    assert kit.m.phase is CasePhase.DRAW and kit.m.round.seats == {} and kit.m.round.number == 1
    assert kit.alerts("panel_unfillable") == [f"round-1:{struck}:unfillable"]
    assert kit.m.set_aside == {struck: "struck: claimant: sat with the contractor before"}
    assert kit.m.draw_request(kit.now) is None
    kit.use_experts([*kit.experts, expert(7), expert(8)])
    kit.tick(DAY)
    assert kit.m.draw_request(kit.now).excluded == kit.m.set_aside
    kit.draw(seed)
    assert struck not in kit.seats and struck not in kit.record().alternates
    assert exclusion_code(kit.record().exclusions[struck]) == "excluded"
    verifies(kit)
    # the restarted round is a fresh panel: each party has its strike for it
    kit.step("claimant", "strike.submit", {"expert_id": kit.seats[-1], "reason": "again"})


# --------------------------------------------------------------- declarations
def test_a_decline_passes_the_seat_to_an_alternate():
    kit = at_draw()
    seats = kit.draw()
    before = kit.record()
    leaver = before.panel[2]
    kit.tick(DAY)
    kit.step(leaver, "declaration.sign", {"independent": False, "reason": "I consulted for the owner"})
    newcomer = kit.seats[-1]
    assert newcomer == before.alternates[0] and leaver not in kit.seats
    assert kit.m.round.seats[newcomer].declaration_due == kit.now + timedelta(days=2)
    assert kit.m.set_aside[leaver] == "declined: I consulted for the owner"
    assert kit.record().replacements[-1].replacement_id == newcomer
    assert len(kit.seats) == len(seats) and kit.m.phase is CasePhase.PANEL
    kit.reject(leaver, "declaration.sign", {"independent": True}, FORBIDDEN, "not_a_party")
    verifies(kit)


def test_when_the_chair_declines_the_next_member_in_draw_order_chairs():
    kit = at_draw()
    seats = kit.draw()
    kit.step(seats[0], "declaration.sign", {"independent": False, "reason": "conflict"})
    assert kit.chair == seats[1]


def test_a_timed_out_declaration_passes_the_seat():
    kit = at_draw()
    seats = kit.draw()
    for expert_id in seats[1:]:
        kit.step(expert_id, "declaration.sign", {"independent": True})
    kit.run_to(kit.m.round.seats[seats[0]].declaration_due - SECOND)
    assert seats[0] in kit.seats
    kit.run_to(kit.m.round.seats[seats[0]].declaration_due)
    assert seats[0] not in kit.seats and kit.m.set_aside[seats[0]] == "declaration_timed_out"
    assert kit.m.phase is CasePhase.PANEL
    verifies(kit)


def test_a_declaration_arriving_after_its_deadline_is_refused_even_before_the_timer_fires():
    kit = at_draw()
    seats = kit.draw()
    kit.now = kit.m.round.seats[seats[0]].declaration_due  # the timer has not been processed yet
    kit.reject(seats[0], "declaration.sign", {"independent": True}, CONFLICT, "declaration_window_closed")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"independent": True}, {"independent": True}),
        ({"independent": True}, {"independent": False, "reason": "changed my mind"}),
    ],
)
def test_a_second_declaration_is_refused(first, second):
    kit = at_draw()
    seats = kit.draw()
    kit.step(seats[0], "declaration.sign", first)
    kit.reject(seats[0], "declaration.sign", second, CONFLICT, "already_declared")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "missing_fields"),
        ({"independent": "yes"}, "not_a_boolean"),
        ({"independent": True, "x": 1}, "unknown_fields"),
    ],
)
def test_malformed_declarations_are_refused(payload, code):
    kit = at_draw()
    seats = kit.draw()
    kit.reject(seats[0], "declaration.sign", payload, INVALID, code)


def test_declarations_only_while_the_panel_forms():
    kit = at_draw()
    seats = kit.draw()
    kit.reject("claimant", "declaration.sign", {"independent": True}, FORBIDDEN, "wrong_role")
    kit.declare_all()
    kit.reject(seats[0], "declaration.sign", {"independent": True}, CONFLICT, "wrong_phase")


def test_a_seat_change_that_breaks_the_specialty_quota_restarts_the_draw_and_sets_the_decliner_aside():
    kit = at_draw()
    kit.use_experts(tight_roster())
    seats = kit.draw()
    leaver = specialists(kit, seats)[1]
    kit.step(leaver, "declaration.sign", {"independent": False, "reason": "on holiday"})
    assert kit.m.phase is CasePhase.DRAW and kit.m.round.draw is None and kit.m.round.candidates == []
    assert kit.m.set_aside == {leaver: "declined: on holiday"}
    assert kit.alerts("panel_unfillable") == [f"round-1:{leaver}:unfillable"]
    kit.use_experts([*kit.experts, expert(7), expert(8)])
    kit.tick(DAY)
    kit.draw()
    assert leaver not in kit.seats and leaver not in kit.record().alternates
    verifies(kit)


def test_a_timeout_that_breaks_the_quota_restarts_the_draw():
    kit = at_draw()
    kit.use_experts(tight_roster())
    seats = kit.draw()
    kit.tick(timedelta(days=2))  # nobody declared: the first specialist's seat cannot be refilled
    assert kit.m.phase is CasePhase.DRAW
    assert set(kit.m.set_aside) & set(specialists(kit, seats))
    assert kit.m.next_deadline() == kit.now + DAY
