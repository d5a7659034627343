"""The fair draw: exclusions with reasons, quota, determinism, verification and seat changes."""

import random
from dataclasses import replace
from datetime import date, datetime

import pytest

from domain.canonical import canonical_json
from expert_panels.draw import (
    ALTERNATE,
    CONFLICT,
    EXCLUDED,
    INACTIVE,
    MAIN_SPECIALTY_QUOTA,
    OVER_WORKLOAD_CAP,
    PANEL_SEATS,
    STRUCK,
    WRONG_DOMAIN,
    DrawRequest,
    InvalidDrawRequest,
    PanelUnfillable,
    Replacement,
    Strike,
    appeal_request,
    draw_panel,
    draw_record_document,
    draw_record_from_document,
    draw_record_hash,
    exclusion_code,
    exclusion_reason,
    failed_draw,
    failed_draw_document,
    failed_draw_from_document,
    panel_size_for,
    replace_seat,
    struck_from,
    verify_draw,
    verify_failed_draw,
)
from tests.expert_panels.kit import (
    AS_OF,
    BUILDER_ORG,
    OTHER_ORG,
    OWNER_ORG,
    SEED,
    employed_by,
    expert,
    paid_by,
    registry,
    request,
)

D = date
WINDOW_START = D(2023, 3, 1)  # three years before AS_OF


# ------------------------------------------------------------- exclusions
@pytest.mark.parametrize(
    ("candidate", "req", "code"),
    [
        pytest.param(expert("E1", "waterproofing"), request(), None, id="eligible"),
        pytest.param(expert("E1", "waterproofing", active=False), request(), INACTIVE, id="inactive"),
        pytest.param(
            expert("E1", "engine", domain="car"), request(), WRONG_DOMAIN, id="car expert, renovation case"
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(employed_by(BUILDER_ORG, D(2010, 1, 1)),)),
            request(),
            CONFLICT,
            id="employed by the respondent now",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(paid_by(OWNER_ORG, D(2024, 1, 1), D(2024, 2, 1)),)),
            request(),
            CONFLICT,
            id="paid by the claimant two years ago",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(paid_by(BUILDER_ORG, D(2015, 1, 1), WINDOW_START),)),
            request(),
            CONFLICT,
            id="paid until the first day of the window",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(paid_by(BUILDER_ORG, D(2015, 1, 1), D(2023, 2, 28)),)),
            request(),
            None,
            id="paid until the day before the window",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(employed_by(BUILDER_ORG, D(2026, 6, 1)),)),
            request(),
            CONFLICT,
            id="agreed future employment",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(employed_by(OTHER_ORG, D(2020, 1, 1)),)),
            request(),
            None,
            id="employed by someone else",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(paid_by(BUILDER_ORG, D(2020, 1, 1), D(2022, 1, 1)),)),
            request(conflict_years=5),
            CONFLICT,
            id="longer conflict window",
        ),
        pytest.param(
            expert("E1", "plumbing", affiliations=(paid_by(BUILDER_ORG, D(2020, 1, 1), D(2022, 1, 1)),)),
            request(),
            None,
            id="same tie, default window",
        ),
        pytest.param(expert("E1", "plumbing", open_cases=3), request(), OVER_WORKLOAD_CAP, id="at the cap"),
        pytest.param(expert("E1", "plumbing", open_cases=2), request(), None, id="one under the cap"),
        pytest.param(expert("E1", "plumbing", open_cases=4), request(workload_cap=5), None, id="higher cap"),
        pytest.param(
            expert("E1", "plumbing"), request(struck={"E1": "claimant: knows the boss"}), STRUCK, id="struck"
        ),
        pytest.param(
            expert("E1", "plumbing"),
            request(excluded={"E1": "previous panel"}),
            EXCLUDED,
            id="previous panel",
        ),
        pytest.param(
            expert("E1", "plumbing", active=False, open_cases=9),
            request(struck={"E1": "x"}),
            INACTIVE,
            id="first reason wins",
        ),
    ],
)
def test_exclusion_reasons(candidate, req, code):
    reason = exclusion_reason(req, candidate)
    assert (exclusion_code(reason) if reason else None) == code
    record = draw_panel(req, [candidate, *registry()], SEED)
    if code is None:
        assert candidate.expert_id not in record.exclusions
    else:
        assert exclusion_code(record.exclusions[candidate.expert_id]) == code
        assert candidate.expert_id not in record.panel + record.alternates


def test_conflict_reason_says_who_and_when():
    candidate = expert("E1", "plumbing", affiliations=(paid_by(OWNER_ORG, D(2024, 1, 1), D(2024, 2, 1)),))
    assert exclusion_reason(request(), candidate) == (
        "conflict: paid by ORG-OWNER from 2024-01-01 to 2024-02-01 (window from 2023-03-01)"
    )


def test_leap_day_window():
    req = request(as_of=D(2028, 2, 29))
    assert req.conflict_window_start == D(2025, 2, 28)


# ------------------------------------------------------------------ panel
def test_panel_shape_quota_chair_and_alternates():
    record = draw_panel(request(), registry(specialists=3, others=5), SEED)
    assert len(record.panel) == 3 and len(set(record.panel)) == 3
    assert sum(1 for i in record.panel if i.startswith("W")) >= 2
    assert record.chair == record.panel[0] and record.chair.startswith("W")
    assert len(record.alternates) == 2 and not set(record.alternates) & set(record.panel)
    assert record.candidate_ids == tuple(sorted(e.expert_id for e in registry(3, 5)))
    assert set(record.main_specialists) == {i for i in record.panel + record.alternates if i.startswith("W")}


@pytest.mark.parametrize(
    ("panel_size", "min_main", "specialists", "others", "expected_specialists_at_least"),
    [
        (3, 2, 2, 1, 2),
        (3, 3, 3, 0, 3),
        (1, 2, 1, 5, 1),  # quota capped by the panel size
        (5, 2, 2, 3, 2),
        (3, 0, 0, 3, 0),
    ],
)
def test_quota_is_met(panel_size, min_main, specialists, others, expected_specialists_at_least):
    req = request(panel_size=panel_size, min_main_specialty=min_main, alternates=0)
    record = draw_panel(req, registry(specialists, others), SEED)
    assert len(record.panel) == panel_size
    assert sum(1 for i in record.panel if i.startswith("W")) >= expected_specialists_at_least


@pytest.mark.parametrize(
    ("req", "specialists", "others", "requirement", "needed", "available"),
    [
        (request(), 1, 5, MAIN_SPECIALTY_QUOTA, 2, 1),
        (request(panel_size=1), 0, 5, MAIN_SPECIALTY_QUOTA, 1, 0),
        (request(), 2, 0, PANEL_SEATS, 3, 2),
        (request(panel_size=5), 3, 1, PANEL_SEATS, 5, 4),
        (request(struck={"W01": "claimant: x", "W02": "respondent: y"}), 3, 5, MAIN_SPECIALTY_QUOTA, 2, 1),
    ],
)
def test_unfillable_panels_say_which_requirement_failed(
    req, specialists, others, requirement, needed, available
):
    with pytest.raises(PanelUnfillable) as caught:
        draw_panel(req, registry(specialists, others), SEED)
    assert (caught.value.requirement, caught.value.needed, caught.value.available) == (
        requirement,
        needed,
        available,
    )


def test_fewer_alternates_than_asked_is_not_an_error():
    record = draw_panel(request(), registry(2, 2), SEED)
    assert len(record.alternates) == 1


@pytest.mark.parametrize(
    ("amount", "threshold", "size"),
    [(0, 500_000, 1), (499_999, 500_000, 1), (500_000, 500_000, 3), (9_000_000, 500_000, 3), (100, 0, 3)],
)
def test_panel_size_for(amount, threshold, size):
    assert panel_size_for(amount, threshold) == size


@pytest.mark.parametrize(("amount", "threshold"), [(-1, 10), (1.5, 10), (True, 10), (10, None)])
def test_panel_size_for_refuses_non_fen(amount, threshold):
    with pytest.raises(InvalidDrawRequest):
        panel_size_for(amount, threshold)


# ------------------------------------------------------------ determinism
def test_same_inputs_same_record():
    assert draw_panel(request(), registry(), SEED) == draw_panel(request(), registry(), SEED)


@pytest.mark.parametrize("shuffle_seed", range(5))
def test_candidate_order_never_matters(shuffle_seed):
    candidates = registry(5, 5)
    shuffled = candidates[:]
    random.Random(shuffle_seed).shuffle(shuffled)
    assert draw_panel(request(), shuffled, SEED) == draw_panel(request(), candidates, SEED)


def test_party_order_and_dict_order_never_matter():
    one = request(party_org_ids=(OWNER_ORG, BUILDER_ORG), struck={"W01": "a", "R01": "b"})
    two = request(party_org_ids=[BUILDER_ORG, OWNER_ORG, OWNER_ORG], struck={"R01": "b", "W01": "a"})
    assert one == two
    assert draw_panel(one, registry(), SEED) == draw_panel(two, registry(), SEED)


def test_the_seed_and_the_case_both_change_the_draw():
    candidates = registry(6, 6)
    by_seed = {draw_panel(request(), candidates, f"seed-{n}").panel for n in range(20)}
    by_case = {draw_panel(request(case_id=f"CASE-2026-{n:05}"), candidates, SEED).panel for n in range(20)}
    assert len(by_seed) > 5 and len(by_case) > 5


# ------------------------------------------------------------ verification
def test_an_honest_record_verifies():
    candidates = registry()
    assert verify_draw(draw_panel(request(), candidates, SEED), list(reversed(candidates))) == []


def _swap_chair(r):
    return replace(r, panel=(r.panel[1], r.panel[0], *r.panel[2:]), chair=r.panel[1])


@pytest.mark.parametrize(
    ("tamper", "mentions"),
    [
        (lambda r: replace(r, panel=(r.panel[0], r.panel[1], r.alternates[0])), "panel"),
        (_swap_chair, "chair"),
        (lambda r: replace(r, chair=r.panel[2]), "chair"),
        (lambda r: replace(r, alternates=tuple(reversed(r.alternates))), "alternates"),
        (lambda r: replace(r, seed="another seed"), "panel"),
        (lambda r: replace(r, exclusions={}), "exclusions"),
        (lambda r: replace(r, candidates_digest="0" * 64), "candidates_digest"),
        (lambda r: replace(r, algorithm="v0"), "algorithm"),
        (lambda r: replace(r, replacements=(Replacement(r.panel[0], r.alternates[0], "declined"),)), "panel"),
    ],
)
def test_verify_detects_a_tampered_record(tamper, mentions):
    candidates = registry()
    candidates[0] = replace(candidates[0], open_cases=3)  # so that there is an exclusion to tamper with
    record = draw_panel(request(), candidates, SEED)
    problems = verify_draw(tamper(record), candidates)
    assert problems and any(mentions in p for p in problems)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c[:-1],  # a candidate dropped
        lambda c: [*c, expert("W99", "waterproofing")],  # a candidate added
        lambda c: [replace(c[0], affiliations=[paid_by(BUILDER_ORG, D(2025, 1, 1))]), *c[1:]],  # data changed
        lambda c: [replace(c[0], open_cases=1), *c[1:]],  # even a change that does not alter the panel
    ],
)
def test_verify_detects_a_different_candidate_list(change):
    candidates = registry()
    record = draw_panel(request(), candidates, SEED)
    assert any("candidate" in p for p in verify_draw(record, change(candidates)))


def test_a_draw_that_cannot_be_rerun_is_reported():
    candidates = registry()
    record = draw_panel(request(), candidates, SEED)
    assert "cannot be re-run" in verify_draw(record, candidates[:2])[0]


def test_record_document_round_trip_verifies_and_hashes_stably():
    candidates = registry()
    drawn = draw_panel(request(struck={"R02": "claimant: x"}), candidates, SEED)
    record, _ = replace_seat(drawn, drawn.panel[0], "declined")
    document = draw_record_document(record)
    canonical_json(document)  # JSON-clean: no dates, no floats
    back = draw_record_from_document(document)
    assert back == record and draw_record_hash(back) == draw_record_hash(record)
    assert verify_draw(back, candidates) == []


def test_a_broken_record_document_is_refused():
    with pytest.raises(InvalidDrawRequest):
        draw_record_from_document({"seed": "x"})


# ------------------------------------------------------------- failed draws
def _failed(req: DrawRequest, candidates):
    with pytest.raises(PanelUnfillable) as caught:
        draw_panel(req, candidates, SEED)
    return failed_draw(req, candidates, SEED, caught.value)


def test_a_failed_attempt_names_the_shortfall_and_every_exclusion_and_re_runs_to_them():
    candidates = registry(2, 4)
    candidates[0] = replace(candidates[0], open_cases=3)
    failed = _failed(request(), candidates)
    assert failed.problem == "2 waterproofing expert(s) needed, 1 eligible"
    assert {i: exclusion_code(r) for i, r in failed.exclusions.items()} == {"W01": OVER_WORKLOAD_CAP}
    assert failed.candidate_ids == tuple(sorted(e.expert_id for e in candidates))
    document = failed_draw_document(failed)
    canonical_json(document)  # JSON-clean
    assert failed_draw_from_document(document) == failed
    assert verify_failed_draw(failed_draw_from_document(document), list(reversed(candidates))) == []


@pytest.mark.parametrize(
    ("tamper", "mentions"),
    [
        (lambda f: replace(f, problem="3 seat(s) to fill, 0 expert(s) eligible"), "problem"),
        (lambda f: replace(f, exclusions={}), "exclusions"),
        (lambda f: replace(f, candidates_digest="0" * 64), "candidates_digest"),
        (lambda f: replace(f, algorithm="v0"), "algorithm"),
    ],
)
def test_verify_detects_a_tampered_failed_attempt(tamper, mentions):
    candidates = registry(2, 4)
    candidates[0] = replace(candidates[0], open_cases=3)
    problems = verify_failed_draw(tamper(_failed(request(), candidates)), candidates)
    assert problems and any(mentions in p for p in problems)


def test_an_attempt_failed_without_cause_is_reported():
    candidates = registry(1, 4)
    failed = _failed(request(), candidates)
    more = [*candidates, expert("W09", "waterproofing")]  # enough specialists after all
    assert verify_failed_draw(failed, more) == [
        "a panel can be drawn from these candidates: the attempt failed without cause"
    ]


def test_a_broken_failed_attempt_document_is_refused():
    with pytest.raises(InvalidDrawRequest):
        failed_draw_from_document({"seed": "x"})


# ------------------------------------------------------------- seat changes
def _fixed_record(panel, alternates, main_specialists, quota=2):
    record = draw_panel(request(min_main_specialty=quota), registry(6, 6), SEED)
    return replace(
        record, panel=panel, chair=panel[0], alternates=alternates, main_specialists=main_specialists
    )


@pytest.mark.parametrize(
    ("panel", "alternates", "specialists", "leaving", "replacement", "new_panel", "new_alternates"),
    [
        # the quota is met without the leaver: the first alternate takes the seat
        (("W1", "W2", "W3"), ("R1", "W4"), ("W1", "W2", "W3", "W4"), "W3", "R1", ("W1", "W2", "R1"), ("W4",)),
        (("W1", "W2", "R1"), ("R2", "W3"), ("W1", "W2", "W3"), "R1", "R2", ("W1", "W2", "R2"), ("W3",)),
        # a specialist leaves a seat the quota needs: the first specialist alternate
        (("W1", "W2", "R1"), ("R2", "W3"), ("W1", "W2", "W3"), "W2", "W3", ("W1", "R1", "W3"), ("R2",)),
        # the chair leaves: the next member in draw order chairs
        (("W1", "W2", "R1"), ("W3", "R2"), ("W1", "W2", "W3"), "W1", "W3", ("W2", "R1", "W3"), ("R2",)),
    ],
)
def test_replace_seat(panel, alternates, specialists, leaving, replacement, new_panel, new_alternates):
    record = _fixed_record(panel, alternates, specialists)
    changed, chosen = replace_seat(record, leaving, "declined independence declaration")
    assert chosen == replacement
    assert (changed.panel, changed.chair, changed.alternates) == (new_panel, new_panel[0], new_alternates)
    assert changed.replacements[-1] == Replacement(leaving, replacement, "declined independence declaration")


@pytest.mark.parametrize(
    ("alternates", "requirement"),
    [((), ALTERNATE), (("R2", "R3"), MAIN_SPECIALTY_QUOTA)],
)
def test_replace_seat_refuses_when_no_alternate_fits(alternates, requirement):
    record = _fixed_record(("W1", "W2", "R1"), alternates, ("W1", "W2"))
    with pytest.raises(PanelUnfillable) as caught:
        replace_seat(record, "W1", "timed out")
    assert caught.value.requirement == requirement


@pytest.mark.parametrize(("leaving", "reason"), [("R9", "declined"), ("W1", " ")])
def test_replace_seat_refuses_bad_requests(leaving, reason):
    with pytest.raises(InvalidDrawRequest):
        replace_seat(_fixed_record(("W1", "W2", "R1"), ("R2",), ("W1", "W2")), leaving, reason)


def test_seats_pass_until_the_alternates_run_out_and_each_step_verifies():
    candidates = registry(5, 5)
    record = draw_panel(request(), candidates, SEED)
    for _ in range(2):
        record, chosen = replace_seat(record, record.panel[-1], "declaration timed out")
        assert chosen in record.panel and verify_draw(record, candidates) == []
    with pytest.raises(PanelUnfillable):
        replace_seat(record, record.panel[-1], "declaration timed out")


def test_a_forged_replacement_is_detected():
    candidates = registry(5, 5)
    drawn = draw_panel(request(), candidates, SEED)
    leaver = drawn.panel[0]
    record, chosen = replace_seat(drawn, leaver, "declined")
    outsider = next(i for i in record.candidate_ids if i not in record.panel + record.alternates)
    forged = replace(
        record,
        panel=tuple(outsider if i == chosen else i for i in record.panel),
        replacements=(Replacement(leaver, outsider, "declined"),),
    )
    assert any("the rules give it to" in p for p in verify_draw(forged, candidates))


# ------------------------------------------------------------- strikes
@pytest.mark.parametrize(
    ("strikes", "expected"),
    [
        ([], {}),
        ([Strike("claimant", "W01", "worked for them")], {"W01": "claimant: worked for them"}),
        (
            [Strike("claimant", "W01", "a"), Strike("respondent", "R01", "b")],
            {"R01": "respondent: b", "W01": "claimant: a"},
        ),
        (
            [Strike("claimant", "W01", "a"), Strike("respondent", "W01", "b")],
            {"W01": "claimant: a; respondent: b"},
        ),
    ],
)
def test_struck_from_valid_strikes(strikes, expected):
    assert struck_from(strikes) == expected


@pytest.mark.parametrize(
    ("strikes", "message"),
    [
        ([Strike("claimant", "W01", "a"), Strike("claimant", "W02", "b")], "at most 1"),
        ([Strike("claimant", "W01", "  ")], "needs a reason"),
        ([Strike("council", "W01", "a")], "only the claimant"),
        ([Strike("respondent", "", "a")], "must name an expert"),
    ],
)
def test_struck_from_refuses_bad_strikes(strikes, message):
    with pytest.raises(InvalidDrawRequest, match=message):
        struck_from(strikes)


def test_a_struck_expert_is_never_drawn_even_if_drawn_before():
    candidates = registry(4, 4)
    first = draw_panel(request(), candidates, SEED)
    struck = struck_from([Strike("claimant", first.chair, "sat on my neighbour's case")])
    again = draw_panel(request(struck=struck), candidates, SEED)
    assert first.chair not in again.panel + again.alternates
    assert again.exclusions[first.chair] == "struck: claimant: sat on my neighbour's case"


# ------------------------------------------------------------- request
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"domain": "boats"}, "domain"),
        ({"main_specialty": "engine"}, "not a renovation specialty"),
        ({"case_id": ""}, "case_id"),
        ({"party_org_ids": ()}, "party_org_ids"),
        ({"party_org_ids": "ORG-OWNER"}, "party_org_ids"),
        ({"as_of": datetime(2026, 3, 1, 12)}, "as_of"),
        ({"panel_size": 0}, "panel_size"),
        ({"min_main_specialty": -1}, "min_main_specialty"),
        ({"workload_cap": 0}, "workload_cap"),
        ({"alternates": True}, "alternates"),
        ({"struck": {"W01": "a", "W02": "b", "W03": "c"}}, "at most 1 strike"),
        ({"struck": {"W01": ""}}, "reason"),
        ({"excluded": {"W01": None}}, "reason"),
        ({"excluded": ["W01"]}, "excluded"),
    ],
)
def test_bad_requests_are_refused(changes, message):
    with pytest.raises(InvalidDrawRequest, match=message):
        request(**changes)


def test_a_blank_seed_or_duplicate_candidates_are_refused():
    with pytest.raises(InvalidDrawRequest, match="seed"):
        draw_panel(request(), registry(), "")
    with pytest.raises(InvalidDrawRequest, match="listed twice"):
        draw_panel(request(), [*registry(), expert("W01", "waterproofing")], SEED)


def test_car_case():
    candidates = [expert(f"C{n}", "engine", "electrical", domain="car") for n in range(4)] + registry(4, 0)
    req = DrawRequest("CASE-2026-00009", "car", "engine", ("DEALER", "BUYER-EMPLOYER"), AS_OF)
    record = draw_panel(req, candidates, SEED)
    assert all(i.startswith("C") for i in record.panel + record.alternates)
    assert all(exclusion_code(record.exclusions[f"W0{n}"]) == WRONG_DOMAIN for n in range(1, 5))


# ------------------------------------------------------------- appeal
def test_appeal_panel_is_larger_with_no_overlap():
    candidates = registry(6, 6)
    drawn = draw_panel(request(), candidates, SEED)
    first, _ = replace_seat(drawn, drawn.chair, "declined")
    appeal = appeal_request(first, as_of=D(2026, 4, 20))
    record = draw_panel(appeal, candidates, SEED)
    sat = set(first.panel) | {drawn.chair}
    assert len(record.panel) == 5
    assert not sat & set(record.panel + record.alternates)
    assert {i: exclusion_code(record.exclusions[i]) for i in sat} == dict.fromkeys(sat, EXCLUDED)
