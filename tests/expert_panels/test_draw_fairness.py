"""The draw is fair in a way anyone can check: pinned examples anyone can re-derive by hand, and
frequencies over many seeds that match what DESIGN's rule implies.

DESIGN (expert-panel dispute, step 4): [3] experts, at least 2 in the main specialty, drawn at
random from a recorded seed and candidate list, nobody excluded; a seat whose expert does not
sign passes to an alternate; the appeal goes to a new, larger panel [5] with no overlap.
expert_panels/draw.py makes "at random" precise: the eligible ids, sorted, are shuffled by
Python's `random.Random` seeded with sha256 of the canonical JSON `[seed, case_id]`; the quota's
main specialists are the first ones in that order, the other seats the next ones in that order;
alternates are drawn the same way from the rest, and a leaving seat passes to the first
alternate that keeps the quota.

The pinned examples below go from the seed to the order with the standard library alone (not
draw.py), so a reader can redo every step. The statistical tests hold the draw to the
frequencies that rule implies for a uniformly random order, over 2,000 fixed seeds: a change to
the draw that still re-runs to its own record (so `verify_draw` is content) but favours
anyone fails here.
"""

import hashlib
import math
import random
from collections import Counter
from datetime import date
from functools import cache

import pytest

import expert_panels.draw as draw_module
from expert_panels.draw import DrawRecord, appeal_request, draw_panel, replace_seat, verify_draw
from expert_panels.registry import Expert
from tests.expert_panels.kit import OWNER_ORG, SEED, expert, paid_by, registry, request

APPEAL_SEED = "council-seed-2026-04-20"
APPEAL_DAY = date(2026, 4, 20)
DRAWS = 2_000


def the_registry() -> list[Expert]:
    """W01-W06 waterproofing specialists, R01-R04 other renovation experts, and two who may not
    be drawn: W07 was paid by the owner within three years, R05 has three open cases (the cap)."""
    conflicted = expert(
        "W07", "waterproofing", affiliations=(paid_by(OWNER_ORG, date(2024, 5, 1), date(2024, 6, 1)),)
    )
    return [*registry(6, 4), conflicted, expert("R05", "painting", open_cases=3)]


def stdlib_order(seed: str, case_id: str, eligible: list[str]) -> list[str]:
    """The order the rule draws in, from the standard library alone: sha256 over the canonical JSON
    `[seed, case_id]` (sorted keys, no spaces, UTF-8), as a big-endian integer, seeds
    `random.Random`, which shuffles the eligible ids sorted."""
    canonical = ('["' + seed + '","' + case_id + '"]').encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(canonical).digest(), "big"))
    order = sorted(eligible)
    rng.shuffle(order)
    return order


# ------------------------------------------------------------------ pinned examples
def test_pinned_first_panel():
    """Seed "council-seed-2026-03-01", case CASE-2026-00007, renovation, main specialty
    waterproofing, 3 seats with 2 main specialists, 2 alternates.

    W07 (conflict) and R05 (workload cap) are out. The other ten in the seeded order:
    R03 R02 R04 W02 R01 W01 W05 W06 W03 W04. The quota's two specialists are the first two W:
    W02 (the chair: the first seat) and W01; the third seat is the first of the rest: R03. The
    alternates, drawn the same way from what is left, are its first two W: W05 and W06."""
    eligible = [e.expert_id for e in the_registry() if e.expert_id not in ("W07", "R05")]
    assert stdlib_order(SEED, "CASE-2026-00007", eligible) == [
        "R03", "R02", "R04", "W02", "R01", "W01", "W05", "W06", "W03", "W04",
    ]  # fmt: skip
    record = draw_panel(request(), the_registry(), SEED)
    assert (record.panel, record.chair, record.alternates) == (("W02", "W01", "R03"), "W02", ("W05", "W06"))
    assert sorted(record.exclusions) == ["R05", "W07"]
    assert verify_draw(record, the_registry()) == []


def test_pinned_replacement_seat():
    """The chair W02 declines the independence declaration. W01 and R03 remain: one main
    specialist, one short of the quota, so the seat passes to the first alternate that holds the
    main specialty, W05, who takes the last seat; the chair passes to W01, next in draw order."""
    record, taken_by = replace_seat(
        draw_panel(request(), the_registry(), SEED), "W02", "declined the independence declaration"
    )
    assert taken_by == "W05"
    assert (record.panel, record.chair, record.alternates) == (("W01", "R03", "W05"), "W01", ("W06",))
    assert verify_draw(record, the_registry()) == []


def test_pinned_appeal_panel():
    """The appeal, drawn on 2026-04-20 with seed "council-seed-2026-04-20": 5 seats, 2 main
    specialists, and nobody who held a seat at first instance (W01, R03, W05, and W02 who left).

    Six remain eligible; in the seeded order: R01 W03 R02 R04 W06 W04. The quota takes W03 and
    W06, the other three seats the first of the rest: R01, R02, R04. W04 is the one alternate left."""
    first, _ = replace_seat(draw_panel(request(), the_registry(), SEED), "W02", "declined")
    appeal = appeal_request(first, as_of=APPEAL_DAY)
    assert sorted(appeal.excluded) == ["R03", "W01", "W02", "W05"]
    eligible = ["W03", "W04", "W06", "R01", "R02", "R04"]
    assert stdlib_order(APPEAL_SEED, "CASE-2026-00007", eligible) == [
        "R01",
        "W03",
        "R02",
        "R04",
        "W06",
        "W04",
    ]
    record = draw_panel(appeal, the_registry(), APPEAL_SEED)
    assert (record.panel, record.alternates) == (("W03", "W06", "R01", "R02", "R04"), ("W04",))
    assert not set(record.panel) & {"W01", "W02", "R03", "W05"}


# ------------------------------------------------------------------ what the rule implies
def seat_chances(specialists: int, others: int, seats: int, quota: int) -> tuple[float, float, float]:
    """Each eligible specialist's and each other expert's chance of a seat, under the rule.

    Filling the quota's seats with the first specialists in a uniformly random order and the
    rest with the next experts seats exactly the first `seats` of that order, except that when
    they hold fewer than `quota` specialists the last others give way to the next specialists.
    So the specialists seated are M = max(quota, J), J hypergeometric (the specialists among the
    first `seats` of the order), and by symmetry each specialist sits with chance E[M] / S, each
    other expert with (seats - E[M]) / O. Also returned: seats * Var(M) / (E[M] (seats - E[M])),
    the variance of the one direction in which the specialists' and the others' seat counts move
    against each other, relative to a multinomial's (see `chi_square_bound`)."""
    total = specialists + others
    chances = {
        j: math.comb(specialists, j) * math.comb(others, seats - j) / math.comb(total, seats)
        for j in range(max(0, seats - others), min(specialists, seats) + 1)
    }
    mean = sum(max(quota, j) * p for j, p in chances.items())
    variance = sum((max(quota, j) - mean) ** 2 * p for j, p in chances.items())
    contrast = seats * variance / (mean * (seats - mean)) if 0 < mean < seats else 0.0
    return mean / specialists, (seats - mean) / others, contrast


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X chi-square with `df` degrees of freedom: 1 minus the regularized lower
    incomplete gamma function P(df/2, x/2), summed as its power series (pure Python)."""
    s, half = df / 2, x / 2
    term = total = 1.0 / s
    n = 0
    while term > 1e-17 * total:
        n += 1
        term *= half / (s + n)
        total += term
    return 1.0 - math.exp(s * math.log(half) - half - math.lgamma(s)) * total


# Upper 0.1% points of the chi-square distribution (NIST/SEMATECH e-Handbook of Statistical
# Methods, table 1.3.6.7.4), checked against `chi2_sf` below.
CRITICAL_0_001 = {5: 20.515, 9: 27.877, 10: 29.588}


def test_the_critical_values_are_the_upper_tenth_of_a_percent():
    for df, critical in CRITICAL_0_001.items():
        assert chi2_sf(critical, df) == pytest.approx(0.001, rel=2e-3)
    assert chi2_sf(3.0, 2) == pytest.approx(math.exp(-1.5), rel=1e-12)  # with 2 degrees, exactly e^(-x/2)


def chi_square_bound(counts: Counter[str], chances: dict[str, float], draws: int) -> tuple[float, float]:
    """Pearson's statistic of the seat counts against `draws` x each expert's chance, and the
    critical value it must stay under.

    A draw seats several experts, so the counts are not one multinomial; their normalised
    deviations have a covariance whose eigenvalues are 1 - P(j seated | i seated) <= 1 within
    each class (the rule treats a class alike), 0 along the fixed total of seats, and the
    `contrast` of `seat_chances` (checked <= 1) between the two classes. A sum of squares with
    weights at most 1 over N - 1 directions is stochastically smaller than chi-square(N - 1), so
    the statistic exceeds that distribution's 0.1% point with chance under 0.001: p = 0.001 keeps
    a fair draw from failing by bad luck (the seeds are fixed anyway, so the outcome never
    varies), and a favouritism of a few percent still shows (see the last test)."""
    statistic = sum((counts[i] - draws * p) ** 2 / (draws * p) for i, p in chances.items())
    return statistic, CRITICAL_0_001[len(chances) - 1]


def panel_chances(eligible: list[str], main: str, seats: int, quota: int) -> dict[str, float]:
    specialists = [i for i in eligible if i.startswith(main)]
    p_main, p_other, contrast = seat_chances(len(specialists), len(eligible) - len(specialists), seats, quota)
    assert contrast <= 1  # the premise of the bound
    return {i: p_main if i in specialists else p_other for i in eligible}


FIRST_ELIGIBLE = ["W01", "W02", "W03", "W04", "W05", "W06", "R01", "R02", "R03", "R04"]


def drawn_first_panels() -> list[DrawRecord]:
    return [draw_panel(request(), the_registry(), f"fairness-{n:04}") for n in range(DRAWS)]


first_panels = cache(drawn_first_panels)  # the honest draws, shared by the tests that count them


def test_first_panel_seats_every_eligible_expert_as_often_as_the_rule_implies():
    """Over 2,000 seeds each of W01-W06 sits with chance E[max(2, J)] / 6 = (260/120) / 6 = 0.361,
    each of R01-R04 with (3 - E) / 4 = 0.208, J the specialists among 3 of 10; W07 and R05 never."""
    counts = Counter(seat for record in first_panels() for seat in record.panel)
    assert counts["W07"] == counts["R05"] == 0
    chances = panel_chances(FIRST_ELIGIBLE, "W", seats=3, quota=2)
    assert chances["W01"] == pytest.approx(260 / 720) and chances["R01"] == pytest.approx(100 / 480)
    statistic, critical = chi_square_bound(counts, chances, DRAWS)
    assert statistic < critical, (statistic, counts)


def test_a_declined_seat_passes_to_each_eligible_specialist_as_often_as_the_rule_implies():
    """The chair declines in each of 2,000 draws. The first alternate is the next main specialist
    in the order, off the panel; in a uniformly random order that is any one of the six with the
    same chance, 1/6, and never another expert: one outcome per draw, a multinomial with 5
    degrees of freedom, held to its 0.1% point. Here the chance is 1/6 for each of W01-W06."""
    taken = Counter(
        replace_seat(record, record.chair, "declined the independence declaration")[1]
        for record in first_panels()
    )
    assert set(taken) <= {"W01", "W02", "W03", "W04", "W05", "W06"}
    statistic = sum((taken[i] - DRAWS / 6) ** 2 / (DRAWS / 6) for i in FIRST_ELIGIBLE[:6])
    assert statistic < CRITICAL_0_001[5], (statistic, taken)


def test_an_appeal_panel_seats_everyone_not_on_the_first_as_often_as_the_rule_implies():
    """A first panel of 3 from W01-W08 and R01-R06 (seed council-seed-2026-03-01: W05, W04, R04),
    then 2,000 appeal draws of 5 with 2 main specialists: the 11 left sit with the chances the rule
    gives 6 specialists and 5 others; the first three never."""
    candidates = registry(8, 6)
    first = draw_panel(request(), candidates, SEED)
    assert first.panel == ("W05", "W04", "R04")
    appeal = appeal_request(first, as_of=APPEAL_DAY)
    counts = Counter(
        seat for n in range(DRAWS) for seat in draw_panel(appeal, candidates, f"appeal-{n:04}").panel
    )
    assert not set(counts) & set(first.panel)
    eligible = [e.expert_id for e in candidates if e.expert_id not in first.panel]
    statistic, critical = chi_square_bound(counts, panel_chances(eligible, "W", seats=5, quota=2), DRAWS)
    assert statistic < critical, (statistic, counts)


class _Favouring(random.Random):
    """A shuffle that, one time in ten, moves the id sorting first to the front: still seeded,
    still re-run to the same record by `verify_draw`, and unfair to everyone else."""

    def shuffle(self, x: list) -> None:  # type: ignore[override]
        super().shuffle(x)
        if self.random() < 0.1:
            x.remove(first := min(x))
            x.insert(0, first)


def test_a_self_consistent_but_favouring_draw_fails_the_bound(monkeypatch):
    """The bound has teeth: with the favouring shuffle every record still verifies, yet the seat
    counts leave the rule's frequencies far behind."""
    honest = draw_module.draw_rng
    monkeypatch.setattr(
        draw_module, "draw_rng", lambda seed, case: _Favouring(honest(seed, case).getrandbits(128))
    )
    records = drawn_first_panels()
    assert verify_draw(records[0], the_registry()) == []
    counts = Counter(seat for record in records for seat in record.panel)
    statistic, critical = chi_square_bound(
        counts, panel_chances(FIRST_ELIGIBLE, "W", seats=3, quota=2), DRAWS
    )
    assert statistic > critical, (statistic, counts)
