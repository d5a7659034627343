"""The fair draw: which experts sit on a case's panel, as a pure function anyone can re-run.

Fairness here means three things a party can check for themselves. First, nobody
with a reason to be kept out is drawn: every candidate is either eligible or carries
a recorded exclusion reason (inactive, wrong domain, conflict, over the workload cap,
struck by a party, excluded as a previous panel member or after declining). Second,
the choice among the eligible is random but fixed in advance: the order comes from a
`random.Random` seeded by sha256 over the canonical JSON `[seed, case_id]`, applied to
the candidates sorted by `expert_id`, so neither the seed's owner nor the order of
the registry rows can steer it. Third, the `DrawRecord` holds everything needed to
re-run it (request, seed, candidate ids and a digest of their data), and
`verify_draw` does exactly that.

Seats are filled in shuffle order: the main-specialty quota first, then the other
seats from everyone eligible; the first seat is the chair, so the chair is a main
specialist whenever the quota asks for one. Alternates are drawn the same way (main
specialists first, up to the quota), so a seat left empty can usually pass to the
first alternate without breaking the quota.
"""

import hashlib
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from domain.canonical import canonical_json, content_hash
from expert_panels.periods import add_years, require_date
from expert_panels.registry import CONFLICT_YEARS, SPECIALTIES, Expert, conflicting_ties, expert_document

ALGORITHM = "expert-draw-v1"

CLAIMANT, RESPONDENT = "claimant", "respondent"
PARTIES: tuple[str, ...] = (CLAIMANT, RESPONDENT)

# Exclusion codes, in the order they are tested: the first that applies is recorded.
INACTIVE = "inactive"
WRONG_DOMAIN = "wrong_domain"
CONFLICT = "conflict"
OVER_WORKLOAD_CAP = "over_workload_cap"
STRUCK = "struck"
EXCLUDED = "excluded"

# What `PanelUnfillable.requirement` names.
MAIN_SPECIALTY_QUOTA = "main_specialty_quota"
PANEL_SEATS = "panel_seats"
ALTERNATE = "alternate"


class InvalidDrawRequest(ValueError):
    """The request, the strikes or a replacement is malformed: nothing was drawn."""


class PanelUnfillable(Exception):
    """Too few eligible experts for a requirement (quota, seats, or an alternate for a seat)."""

    def __init__(self, requirement: str, needed: int, available: int, message: str) -> None:
        super().__init__(message)
        self.requirement = requirement
        self.needed = needed
        self.available = available


@dataclass(frozen=True)
class Strike:
    """A party's strike of one expert; the reason is recorded and shown to the council."""

    party: str  # "claimant" | "respondent"
    expert_id: str
    reason: str


@dataclass(frozen=True)
class DrawRequest:
    case_id: str
    domain: str
    main_specialty: str
    party_org_ids: tuple[str, ...]  # the claimant's and the respondent's organisations
    as_of: date
    panel_size: int = 3
    min_main_specialty: int = 2  # capped by the panel size, see `quota`
    workload_cap: int = 3  # open_cases >= cap excludes
    conflict_years: int = CONFLICT_YEARS
    struck: dict[str, str] = field(default_factory=dict)  # expert_id -> reason
    excluded: dict[str, str] = field(default_factory=dict)  # expert_id -> reason (previous panel, declined)
    alternates: int = 2
    strikes_per_party: int = 1

    def __post_init__(self) -> None:
        # normalise so that two equal requests are equal whatever order they were built in
        if isinstance(self.party_org_ids, str) or not isinstance(self.party_org_ids, Iterable):
            raise InvalidDrawRequest("party_org_ids must be a list of organisation ids")
        object.__setattr__(self, "party_org_ids", tuple(sorted(set(self.party_org_ids))))
        for name in ("struck", "excluded"):
            value = getattr(self, name)
            if not isinstance(value, dict):
                raise InvalidDrawRequest(f"{name} must map expert ids to reasons")
            object.__setattr__(self, name, dict(sorted(value.items())))
        validate_request(self)

    @property
    def quota(self) -> int:
        """Seats reserved for the main specialty: never more than the panel has."""
        return min(self.min_main_specialty, self.panel_size)

    @property
    def conflict_window_start(self) -> date:
        return add_years(self.as_of, -self.conflict_years)


@dataclass(frozen=True)
class Replacement:
    leaving_id: str
    replacement_id: str
    reason: str  # e.g. "declined independence declaration", "declaration timed out"


@dataclass(frozen=True)
class DrawRecord:
    """Everything needed to re-run a draw and check it, plus the seat changes made since."""

    request: DrawRequest
    seed: str
    candidate_ids: tuple[str, ...]  # sorted
    candidates_digest: str  # sha256 over the canonical JSON of the candidates, sorted by id
    exclusions: dict[str, str]  # expert_id -> "code: detail"
    panel: tuple[str, ...]  # seat order; the first seat is the chair
    chair: str
    alternates: tuple[str, ...]
    main_specialists: tuple[str, ...]  # who on the panel or among alternates holds the main specialty
    replacements: tuple[Replacement, ...] = ()
    algorithm: str = ALGORITHM


@dataclass(frozen=True)
class FailedDraw:
    """An attempt that could not seat a panel, kept so the council sees who was excluded and why,
    and anyone can re-run it to the same shortfall."""

    request: DrawRequest
    seed: str
    candidate_ids: tuple[str, ...]  # sorted
    candidates_digest: str
    exclusions: dict[str, str]
    problem: str  # what PanelUnfillable said, e.g. "2 waterproofing expert(s) needed, 1 eligible"
    algorithm: str = ALGORITHM


# ------------------------------------------------------------- validation
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def validate_request(request: DrawRequest) -> None:
    if _blank(request.case_id):
        raise InvalidDrawRequest("case_id must be a non-empty string")
    if request.domain not in SPECIALTIES:
        raise InvalidDrawRequest(f"domain must be one of {', '.join(SPECIALTIES)}")
    if request.main_specialty not in SPECIALTIES[request.domain]:
        raise InvalidDrawRequest(
            f"{request.main_specialty!r} is not a {request.domain} specialty; "
            f"known: {', '.join(SPECIALTIES[request.domain])}"
        )
    if not request.party_org_ids or any(_blank(org) for org in request.party_org_ids):
        raise InvalidDrawRequest("party_org_ids must name the parties' organisations")
    try:
        require_date(request.as_of, "as_of")
    except TypeError as exc:
        raise InvalidDrawRequest(str(exc)) from None
    minimums = {
        "panel_size": 1,
        "min_main_specialty": 0,
        "workload_cap": 1,
        "conflict_years": 0,
        "alternates": 0,
        "strikes_per_party": 0,
    }
    for name, minimum in minimums.items():
        value = getattr(request, name)
        if not _is_int(value) or value < minimum:
            raise InvalidDrawRequest(f"{name} must be an integer of at least {minimum}")
    for name in ("struck", "excluded"):
        for expert_id, reason in getattr(request, name).items():
            if _blank(expert_id) or _blank(reason):
                raise InvalidDrawRequest(f"{name}: every entry needs an expert id and a reason")
    if len(request.struck) > request.strikes_per_party * len(PARTIES):
        raise InvalidDrawRequest(
            f"at most {request.strikes_per_party} strike(s) per party: {len(request.struck)} struck"
        )


def struck_from(strikes: Iterable[Strike], per_party: int = 1) -> dict[str, str]:
    """The `struck` map of a request from the parties' strikes, checking each party's allowance.

    The reason is kept with the party's name; both parties striking the same expert is
    allowed (each used their strike) and both reasons are kept.
    """
    used = dict.fromkeys(PARTIES, 0)
    reasons: dict[str, list[str]] = {}
    for strike in strikes:
        if strike.party not in PARTIES:
            raise InvalidDrawRequest(f"only the {' and the '.join(PARTIES)} may strike, not {strike.party!r}")
        if _blank(strike.expert_id):
            raise InvalidDrawRequest("a strike must name an expert")
        if _blank(strike.reason):
            raise InvalidDrawRequest(f"the {strike.party}'s strike of {strike.expert_id} needs a reason")
        used[strike.party] += 1
        if used[strike.party] > per_party:
            raise InvalidDrawRequest(f"the {strike.party} may strike at most {per_party} expert(s)")
        reasons.setdefault(strike.expert_id, []).append(f"{strike.party}: {strike.reason.strip()}")
    return {expert_id: "; ".join(texts) for expert_id, texts in sorted(reasons.items())}


def panel_size_for(amount_fen: int, small_claim_threshold_fen: int) -> int:
    """One expert for an amount below the threshold, three otherwise (DESIGN step 4)."""
    for name, value in (("amount_fen", amount_fen), ("small_claim_threshold_fen", small_claim_threshold_fen)):
        if not _is_int(value) or value < 0:
            raise InvalidDrawRequest(f"{name} must be a non-negative integer in fen")
    return 1 if amount_fen < small_claim_threshold_fen else 3


# -------------------------------------------------------------- exclusion
def exclusion_code(reason: str) -> str:
    return reason.split(":", 1)[0]


def _conflicts(request: DrawRequest, expert: Expert) -> list[str]:
    """Employed or paid by a party on any day since the window opened (future ties included)."""
    return conflicting_ties(expert.affiliations, request.party_org_ids, request.conflict_window_start)


def exclusion_reason(request: DrawRequest, expert: Expert) -> str | None:
    """Why this expert may not be drawn for this case ("code: detail"), or None if eligible."""
    if not expert.active:
        return f"{INACTIVE}: deactivated in the registry"
    if expert.domain != request.domain:
        return f"{WRONG_DOMAIN}: {expert.domain} expert, {request.domain} case"
    conflicts = _conflicts(request, expert)
    if conflicts:
        since = request.conflict_window_start.isoformat()
        return f"{CONFLICT}: {'; '.join(conflicts)} (window from {since})"
    if expert.open_cases >= request.workload_cap:
        return f"{OVER_WORKLOAD_CAP}: {expert.open_cases} open cases, cap {request.workload_cap}"
    if expert.expert_id in request.struck:
        return f"{STRUCK}: {request.struck[expert.expert_id]}"
    if expert.expert_id in request.excluded:
        return f"{EXCLUDED}: {request.excluded[expert.expert_id]}"
    return None


# ------------------------------------------------------------------ draw
def _sorted_candidates(candidates: Iterable[Expert]) -> list[Expert]:
    pool = sorted(candidates, key=lambda e: e.expert_id)
    for before, after in zip(pool, pool[1:], strict=False):
        if before.expert_id == after.expert_id:
            raise InvalidDrawRequest(f"expert {after.expert_id} is listed twice among the candidates")
    return pool


def candidates_digest(candidates: Iterable[Expert]) -> str:
    """sha256 over the canonical JSON of the candidates' data, sorted by id (order cannot matter)."""
    return content_hash([expert_document(e) for e in _sorted_candidates(candidates)])


def draw_rng(seed: str, case_id: str) -> random.Random:
    """The draw's only randomness: derived from the recorded seed and the case, nothing else."""
    digest = hashlib.sha256(canonical_json([seed, case_id])).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _pick(order: list[str], specialists: set[str], count: int, quota: int) -> list[str]:
    """`count` ids in shuffle order, the first `quota` of them main specialists where there are any."""
    chosen = [i for i in order if i in specialists][: min(quota, count)]
    chosen += [i for i in order if i not in chosen][: count - len(chosen)]
    return chosen


def _screened(request: DrawRequest, candidates: Iterable[Expert]) -> tuple[list[Expert], dict[str, str]]:
    """The candidates sorted by id, and why each one who may not be drawn is kept out."""
    pool = _sorted_candidates(candidates)
    return pool, {e.expert_id: r for e in pool if (r := exclusion_reason(request, e)) is not None}


def failed_draw(
    request: DrawRequest, candidates: list[Expert], seed: str, problem: PanelUnfillable
) -> FailedDraw:
    """The record of an attempt `draw_panel` refused with `problem`."""
    pool, exclusions = _screened(request, candidates)
    return FailedDraw(
        request=request,
        seed=seed,
        candidate_ids=tuple(e.expert_id for e in pool),
        candidates_digest=candidates_digest(pool),
        exclusions=exclusions,
        problem=str(problem),
    )


def draw_panel(request: DrawRequest, candidates: list[Expert], seed: str) -> DrawRecord:
    """Draw the panel, chair and alternates; raise `PanelUnfillable` if the quota or seats cannot be met."""
    if _blank(seed):
        raise InvalidDrawRequest("the seed must be a non-empty string")
    pool, exclusions = _screened(request, candidates)
    order = [e.expert_id for e in pool if e.expert_id not in exclusions]
    draw_rng(seed, request.case_id).shuffle(order)
    specialists = {e.expert_id for e in pool if request.main_specialty in e.specialties}

    quota = request.quota
    eligible_specialists = sum(1 for i in order if i in specialists)
    if eligible_specialists < quota:
        raise PanelUnfillable(
            MAIN_SPECIALTY_QUOTA,
            quota,
            eligible_specialists,
            f"{quota} {request.main_specialty} expert(s) needed, {eligible_specialists} eligible",
        )
    if len(order) < request.panel_size:
        raise PanelUnfillable(
            PANEL_SEATS,
            request.panel_size,
            len(order),
            f"{request.panel_size} seat(s) to fill, {len(order)} expert(s) eligible",
        )
    panel = _pick(order, specialists, request.panel_size, quota)
    rest = [i for i in order if i not in panel]
    alternates = _pick(rest, specialists, request.alternates, quota)
    return DrawRecord(
        request=request,
        seed=seed,
        candidate_ids=tuple(e.expert_id for e in pool),
        candidates_digest=candidates_digest(pool),
        exclusions=exclusions,
        panel=tuple(panel),
        chair=panel[0],
        alternates=tuple(alternates),
        main_specialists=tuple(sorted(i for i in panel + alternates if i in specialists)),
    )


# ----------------------------------------------------------- seat changes
def replace_seat(record: DrawRecord, leaving_id: str, reason: str) -> tuple[DrawRecord, str]:
    """A seat passes to the first alternate that keeps the main-specialty quota.

    Used when an expert declines the independence declaration or lets it time out.
    The leaving seat is removed and the replacement takes the last seat, so the chair
    passes to the next member in draw order if the chair leaves. With the quota met
    by the others, that is simply the first alternate.
    """
    if leaving_id not in record.panel:
        raise InvalidDrawRequest(f"{leaving_id} holds no seat on this panel")
    if _blank(reason):
        raise InvalidDrawRequest("a seat change needs a reason")
    if not record.alternates:
        raise PanelUnfillable(ALTERNATE, 1, 0, f"no alternate left to take {leaving_id}'s seat")
    remaining = [i for i in record.panel if i != leaving_id]
    specialists = set(record.main_specialists)
    have = sum(1 for i in remaining if i in specialists)
    quota = record.request.quota
    replacement = next((a for a in record.alternates if have + (a in specialists) >= quota), None)
    if replacement is None:
        raise PanelUnfillable(
            MAIN_SPECIALTY_QUOTA,
            quota,
            have,
            f"no alternate holds {record.request.main_specialty} to keep the quota of {quota}",
        )
    panel = (*remaining, replacement)
    changed = replace(
        record,
        panel=panel,
        chair=panel[0],
        alternates=tuple(a for a in record.alternates if a != replacement),
        replacements=(*record.replacements, Replacement(leaving_id, replacement, reason)),
    )
    return changed, replacement


def appeal_request(
    record: DrawRecord, *, as_of: date, panel_size: int = 5, struck: dict[str, str] | None = None
) -> DrawRequest:
    """The request for the appeal panel: larger, and nobody who held a seat in the first round."""
    previous = set(record.panel) | {r.leaving_id for r in record.replacements}
    return replace(
        record.request,
        as_of=as_of,
        panel_size=panel_size,
        struck=dict(struck or {}),
        excluded={i: "sat on the first-instance panel" for i in sorted(previous)},
    )


# ------------------------------------------------------------ verification
def verify_draw(record: DrawRecord, candidates: list[Expert]) -> list[str]:
    """Re-run the draw and its seat changes from the record; an empty list means it checks out."""
    if record.algorithm != ALGORITHM:
        return [f"unknown draw algorithm {record.algorithm!r}; this code runs {ALGORITHM!r}"]
    problems: list[str] = []
    try:
        fresh = draw_panel(record.request, candidates, record.seed)
    except (InvalidDrawRequest, PanelUnfillable) as exc:
        return [f"the draw cannot be re-run: {exc}"]
    for replacement in record.replacements:
        try:
            fresh, chosen = replace_seat(fresh, replacement.leaving_id, replacement.reason)
        except (InvalidDrawRequest, PanelUnfillable) as exc:
            problems.append(f"seat change for {replacement.leaving_id} cannot be re-run: {exc}")
            break
        if chosen != replacement.replacement_id:
            problems.append(
                f"{replacement.leaving_id}'s seat went to {replacement.replacement_id}, "
                f"the rules give it to {chosen}"
            )
    for name in (
        "candidate_ids",
        "candidates_digest",
        "exclusions",
        "panel",
        "chair",
        "alternates",
        "main_specialists",
    ):
        recorded, recomputed = getattr(record, name), getattr(fresh, name)
        if recorded != recomputed:
            problems.append(f"{name}: recorded {_show(recorded)}, re-run gives {_show(recomputed)}")
    return problems


def verify_failed_draw(failed: FailedDraw, candidates: list[Expert]) -> list[str]:
    """Re-run an attempt that seated nobody; [] if the same candidates fall short the same way."""
    if failed.algorithm != ALGORITHM:
        return [f"unknown draw algorithm {failed.algorithm!r}; this code runs {ALGORITHM!r}"]
    try:
        draw_panel(failed.request, candidates, failed.seed)
    except InvalidDrawRequest as exc:
        return [f"the draw cannot be re-run: {exc}"]
    except PanelUnfillable as exc:
        fresh = failed_draw(failed.request, candidates, failed.seed, exc)
        return [
            f"{name}: recorded {_show(getattr(failed, name))}, re-run gives {_show(getattr(fresh, name))}"
            for name in ("candidate_ids", "candidates_digest", "exclusions", "problem")
            if getattr(failed, name) != getattr(fresh, name)
        ]
    return ["a panel can be drawn from these candidates: the attempt failed without cause"]


def verify_abandoned_draw(
    record: DrawRecord, candidates: list[Expert], *, leaving_id: str, reason: str
) -> list[str]:
    """Re-run a draw given up when `leaving_id`'s seat could not be refilled; [] if it checks out.

    The draw must re-run to its record, and the seat change that ended it must really be
    impossible: had an alternate been able to take the seat, the draw was abandoned without cause.
    """
    problems = verify_draw(record, candidates)
    if problems:
        return problems
    try:
        replace_seat(record, leaving_id, reason)
    except PanelUnfillable:
        return []
    except InvalidDrawRequest as exc:
        return [f"the seat change that ended the draw cannot be re-run: {exc}"]
    return [f"{leaving_id}'s seat could have passed to an alternate: the draw was given up without cause"]


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return repr(value)


# --------------------------------------------------------- JSON document
def _request_document(r: DrawRequest) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "domain": r.domain,
        "main_specialty": r.main_specialty,
        "party_org_ids": list(r.party_org_ids),
        "as_of": r.as_of.isoformat(),
        "panel_size": r.panel_size,
        "min_main_specialty": r.min_main_specialty,
        "workload_cap": r.workload_cap,
        "conflict_years": r.conflict_years,
        "struck": dict(r.struck),
        "excluded": dict(r.excluded),
        "alternates": r.alternates,
        "strikes_per_party": r.strikes_per_party,
    }


def _request_from_document(raw: dict[str, Any]) -> DrawRequest:
    req = dict(raw)
    req["as_of"] = date.fromisoformat(req["as_of"])
    req["party_org_ids"] = tuple(req["party_org_ids"])
    return DrawRequest(**req)


def draw_record_document(record: DrawRecord) -> dict[str, Any]:
    """The record as canonical-JSON-ready data, for storage and for `escrow verify-draw`."""
    return {
        "algorithm": record.algorithm,
        "request": _request_document(record.request),
        "seed": record.seed,
        "candidate_ids": list(record.candidate_ids),
        "candidates_digest": record.candidates_digest,
        "exclusions": dict(record.exclusions),
        "panel": list(record.panel),
        "chair": record.chair,
        "alternates": list(record.alternates),
        "main_specialists": list(record.main_specialists),
        "replacements": [
            {"leaving_id": x.leaving_id, "replacement_id": x.replacement_id, "reason": x.reason}
            for x in record.replacements
        ],
    }


@contextmanager
def _reading(kind: str) -> Iterator[None]:
    """A stored document that does not fit is refused as an invalid draw, saying what it should be."""
    try:
        yield
    except InvalidDrawRequest:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDrawRequest(f"not a {kind}: {exc!r}") from None


def draw_record_from_document(raw: dict[str, Any]) -> DrawRecord:
    with _reading("draw record"):
        return DrawRecord(
            request=_request_from_document(raw["request"]),
            seed=raw["seed"],
            candidate_ids=tuple(raw["candidate_ids"]),
            candidates_digest=raw["candidates_digest"],
            exclusions=dict(raw["exclusions"]),
            panel=tuple(raw["panel"]),
            chair=raw["chair"],
            alternates=tuple(raw["alternates"]),
            main_specialists=tuple(raw["main_specialists"]),
            replacements=tuple(Replacement(**x) for x in raw["replacements"]),
            algorithm=raw["algorithm"],
        )


def failed_draw_document(failed: FailedDraw) -> dict[str, Any]:
    return {
        "algorithm": failed.algorithm,
        "request": _request_document(failed.request),
        "seed": failed.seed,
        "candidate_ids": list(failed.candidate_ids),
        "candidates_digest": failed.candidates_digest,
        "exclusions": dict(failed.exclusions),
        "problem": failed.problem,
    }


def failed_draw_from_document(raw: dict[str, Any]) -> FailedDraw:
    with _reading("failed draw record"):
        return FailedDraw(
            request=_request_from_document(raw["request"]),
            seed=raw["seed"],
            candidate_ids=tuple(raw["candidate_ids"]),
            candidates_digest=raw["candidates_digest"],
            exclusions=dict(raw["exclusions"]),
            problem=raw["problem"],
            algorithm=raw["algorithm"],
        )


def draw_record_hash(record: DrawRecord) -> str:
    """What a council countersignature or a published notice references."""
    return content_hash(draw_record_document(record))
