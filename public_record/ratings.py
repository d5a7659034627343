"""Star ratings for verified businesses: the rule of docs/RATINGS.md, constant for constant.

Pure, over the public record only (the scorecards' figures and the complaints' outcomes), so a
rating is computed when it is read and changes the moment its figures do. A change to the rule
changes docs/RATINGS.md first; tests/public_record/test_ratings.py holds its boundaries and the
page's worked example.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from public_record.complaints import MEDIATED, MEDIATION_SUCCESS, Complaint
from public_record.facts import History
from public_record.scorecards import Scorecard, raised_against, scorecard, scorecards

MIN_SAMPLE = 5  # engagements before any stars
MIN_MEDIATED = 3  # closed complaints before the mediation record counts
MIN_RELEASES = 3  # releases before the median time to release counts
W_DECISIONS, W_MEDIATION, W_FIRST_PASS, W_RELEASE = 0.40, 0.20, 0.25, 0.15
FAST_RELEASE_DAYS, SLOW_RELEASE_DAYS = 3.0, 30.0  # score 1 at or under, 0 at or over
# Outcomes that count against the business (a split: half), and so fall under the one-complaint rule.
DECIDED_AGAINST = frozenset({"for_consumer", "split"})
# The lowest score of each number of stars, best first; under the last: one star.
STAR_BANDS = ((0.90, 5), (0.75, 4), (0.60, 3), (0.40, 2))


@dataclass(frozen=True)
class Prior:
    """`k` imaginary engagements at the rate `p`: what a rate is smoothed toward."""

    k: int
    p: float

    def smoothed(self, hits: float, n: int) -> float:
        return (hits + self.k * self.p) / (n + self.k)


AGAINST_PRIOR = Prior(5, 0.05)  # the share of engagements decided against the business
AGAINST_PENALTY = 2  # the decisions score falls twice as fast as that share: zero at one half
MEDIATION_PRIOR = Prior(3, 0.50)
FIRST_PASS_PRIOR = Prior(5, 0.70)


@dataclass(frozen=True)
class Component:
    """One part of a rating, as the business's page explains it."""

    name: str  # decisions | mediation | first_pass | release
    figure: float  # the raw figure: a share, or the median days to release
    n: int  # the cases behind it
    score: float  # 0 to 1, smoothed
    weight: float


@dataclass(frozen=True)
class Rating:
    party_id: str
    engagements: int
    stars: int | None  # None: not yet rated (fewer than MIN_SAMPLE engagements)
    score: float | None
    components: tuple[Component, ...]
    held_up: bool = False  # the one-complaint rule gave more stars than the score's band


def stars_for(score: float) -> int:
    return next((stars for lowest, stars in STAR_BANDS if score >= lowest), 1)


def release_score(median_days: float) -> float:
    span = SLOW_RELEASE_DAYS - FAST_RELEASE_DAYS
    return min(max((SLOW_RELEASE_DAYS - median_days) / span, 0.0), 1.0)


def components(card: Scorecard, against: Sequence[Complaint], engagements: int) -> tuple[Component, ...]:
    """The components that apply to this business, from its card and the complaints raised against it."""
    lost = sum(c.outcome == "for_consumer" for c in against)
    split = sum(c.outcome == "split" for c in against)
    decided_against = lost + split / 2
    found = [
        Component(
            "decisions",
            decided_against / engagements if engagements else 0.0,
            engagements,
            max(1 - AGAINST_PENALTY * AGAINST_PRIOR.smoothed(decided_against, engagements), 0.0),
            W_DECISIONS,
        )
    ]
    closed = [c for c in against if c.outcome in MEDIATED]
    if len(closed) >= MIN_MEDIATED:
        successes = sum(c.outcome in MEDIATION_SUCCESS for c in closed)
        share = successes / len(closed)
        found.append(
            Component(
                "mediation", share, len(closed), MEDIATION_PRIOR.smoothed(successes, len(closed)), W_MEDIATION
            )
        )
    first_pass = card.first_pass_rate
    if first_pass.n and first_pass.value is not None:
        hits = round(first_pass.value * first_pass.n)
        score = FIRST_PASS_PRIOR.smoothed(hits, first_pass.n)
        found.append(Component("first_pass", first_pass.value, first_pass.n, score, W_FIRST_PASS))
    days = card.median_days_to_release
    if card.role == "contractor" and days.value is not None and days.n >= MIN_RELEASES:
        found.append(Component("release", days.value, days.n, release_score(days.value), W_RELEASE))
    return tuple(found)


def rating(card: Scorecard, against: Sequence[Complaint], engagements: int) -> Rating:
    """The business's rating: its components always (so a new business sees what will count),
    stars only from MIN_SAMPLE engagements on, and never more than one star below the rating
    without its latest complaint decided against it (the one-complaint rule)."""
    parts = components(card, against, engagements)
    if engagements < MIN_SAMPLE:
        return Rating(card.party_id, engagements, None, None, parts)
    score = sum(c.weight * c.score for c in parts) / sum(c.weight for c in parts)
    banded = stars_for(score)
    decided = sorted((c for c in against if c.outcome in DECIDED_AGAINST), key=lambda c: (c.filed_at, c.key))
    if not decided:
        return Rating(card.party_id, engagements, banded, score, parts)
    latest = decided[-1]
    without = rating(card, [c for c in against if c is not latest], engagements)
    floor = (without.stars or 1) - 1
    return Rating(card.party_id, engagements, max(banded, floor), score, parts, held_up=floor > banded)


def ratings(history: History, complaints: list[Complaint], role: str) -> dict[str, Rating]:
    """Every verified business of `role` rated, by party id, a new one too (not yet rated, with the
    parts that will count). Its engagements: the escrows of its scorecard and the cases it
    answered that no escrow holds (a dealer's car cases)."""
    cards = {card.party_id: card for card in scorecards(history, complaints, role)}
    for party_id, (party_role, _, _) in history.parties.items():  # verified, with nothing on record yet
        if party_role == role and party_id in history.licences and party_id not in cards:
            cards[party_id] = scorecard(history, party_id, [], complaints)
    rated = {}
    for card in cards.values():
        if card.credit_code is None:  # an unverified business is never rated
            continue
        party = card.party_id
        escrow_ids = {e.escrow_id for e in history.escrows if party in (e.contractor_id, e.inspector_id)}
        cases = sum(c.respondent_id == party and c.escrow_id is None for c in history.cases)
        rated[party] = rating(card, raised_against(party, escrow_ids, complaints), card.escrows + cases)
    return rated


# The parts a business raises by what it does next; not mediation: a business does not raise its
# rating by having more complaints, even settled ones.
LIFTABLE = ("decisions", "first_pass", "release")


@dataclass(frozen=True)
class Lift:
    """The one change that would raise a rating by a star, all else as it is (docs/RATINGS.md
    "What would raise it"): the part, the score it must reach, and what that is in the part's own
    terms: for `decisions`, how many more engagements without a complaint decided against the
    business; for `first_pass`, how many more stages passing their first inspection in a row; for
    `release`, the median days to release to get down to."""

    name: str
    stars: int  # what the rating would then be
    score_needed: float
    needed: float  # engagements or stages to add, or days


def next_star(rated: Rating) -> Lift | None:
    """The part whose score must rise least for the weighted score to reach the next band, among
    the parts a business can raise to that score at all; None at five stars, before any, or when
    no single part can do it."""
    if rated.stars is None or rated.score is None or rated.stars == 5:
        return None
    target = next(lowest for lowest, stars in STAR_BANDS if stars == rated.stars + 1)
    total = sum(part.weight for part in rated.components)
    lifts = []
    for part in rated.components:
        needed = part.score + (target - rated.score) * total / part.weight
        if part.name in LIFTABLE and needed < 1.0 or part.name == "release" and needed <= 1.0:
            lift = Lift(part.name, rated.stars + 1, needed, _needed(part, max(needed, 0.0)))
            lifts.append((needed - part.score, lift))
    return min(lifts, key=lambda found: found[0])[1] if lifts else None


def _needed(part: Component, score: float) -> float:
    """The part's own terms for reaching `score`: the inverse of `components`' formulas."""
    if part.name == "release":
        return SLOW_RELEASE_DAYS - score * (SLOW_RELEASE_DAYS - FAST_RELEASE_DAYS)
    if part.name == "decisions":  # 1 - 2 (d + k p) / (n + m + k) >= score
        against = part.figure * part.n + AGAINST_PRIOR.k * AGAINST_PRIOR.p
        more = AGAINST_PENALTY * against / (1 - score) - AGAINST_PRIOR.k - part.n
    else:  # first_pass: (hits + m + k p) / (n + m + k) >= score
        prior = FIRST_PASS_PRIOR
        hits = round(part.figure * part.n)
        more = (score * (part.n + prior.k) - hits - prior.k * prior.p) / (1 - score)
    return max(math.ceil(more - 1e-9), 1)


RATED_ROLES = ("contractor", "inspector", "dealer")


def frozen(rated: Rating) -> dict[str, object]:
    """A rating as the quarter's publication keeps it: its stars, score and each part's score, so a
    later page can say what moved it since (`moved`)."""
    parts = {part.name: round(part.score, 4) for part in rated.components}
    score = None if rated.score is None else round(rated.score, 4)
    return {"stars": rated.stars, "score": score, "parts": parts}


def frozen_ratings(history: History, complaints: list[Complaint]) -> dict[str, dict[str, object]]:
    """Every verified business's rating as the quarter's list freezes it, by party id."""
    return {
        party_id: frozen(rated)
        for role in RATED_ROLES
        for party_id, rated in ratings(history, complaints, role).items()
    }


@dataclass(frozen=True)
class Moved:
    """One part's score then (at a publication) and now; None where the part did not apply."""

    name: str
    then: float | None
    now: float | None


def moved(rated: Rating, then: dict[str, float]) -> list[Moved]:
    """Each part's score at the publication beside today's, the parts of either."""
    now = {part.name: part.score for part in rated.components}
    names = [part.name for part in rated.components] + [name for name in then if name not in now]
    return [Moved(name, then.get(name), now.get(name)) for name in names]
