"""The council's expert registry as plain data: who may sit on a panel, and why not.

An expert belongs to one domain (car or renovation) and lists specialties from that
domain's fixed set, so a draw can enforce a specialty quota without guessing what a
free-text skill means. Every employment or paid engagement is kept as a dated
affiliation, because conflicts are judged over a window of years, not by today's
employer alone. Validation runs on construction, so an `Expert` that exists is well
formed; the registry API and the CSV import turn `InvalidExpert` (a `ValueError`
naming the offending field) into a per-row error report, each row's refusal a `code` with the
values its sentence names (`params`), said in the reader's language (api/error_messages).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.steps.rejections import Params
from expert_panels.periods import require_date

CAR, RENOVATION = "car", "renovation"

# The fixed specialty sets of DESIGN.md "Expert-panel dispute", step 4.
SPECIALTIES: dict[str, tuple[str, ...]] = {
    CAR: ("engine", "transmission", "ev_battery_motor", "electrical", "body"),
    RENOVATION: ("waterproofing", "electrical", "plumbing", "carpentry", "painting", "structure"),
}
DOMAINS: tuple[str, ...] = tuple(SPECIALTIES)

EMPLOYED, PAID = "employed", "paid"
AFFILIATION_KINDS: tuple[str, ...] = (EMPLOYED, PAID)

# How many years back a tie with a party still keeps an expert off its panel, and an
# inspector off its contracts (DESIGN.md "Expert-panel dispute", step 4).
CONFLICT_YEARS = 3


class InvalidExpert(ValueError):
    """Registry data that must not be stored; `field` says which value is wrong, `message` why in
    English, `code` and `params` why for a sentence in the reader's language (api/error_catalogue.py)."""

    def __init__(
        self,
        field: str,
        message: str,
        code: str = "invalid_expert",
        *,
        params: Params | None = None,
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.params = dict(params or {})


@dataclass(frozen=True)
class Affiliation:
    """A dated tie to an organisation: employment, or any paid engagement (fees, consulting)."""

    org_id: str
    kind: str  # "employed" | "paid"
    start: date
    end: date | None = None  # None: still going on

    def __post_init__(self) -> None:
        validate_affiliation(self)

    def overlaps(self, first: date, last: date | None = None) -> bool:
        """Whether the tie held on any day from `first` to `last` (None: with no end)."""
        return (last is None or self.start <= last) and (self.end is None or self.end >= first)


def conflicting_ties(affiliations: Iterable[Affiliation], org_ids: Iterable[str], since: date) -> list[str]:
    """Each tie with one of `org_ids` that held on any day from `since` on, in words, sorted.

    An affiliation that starts after today counts too: an agreed future job or fee is
    as much a conflict as a past one. The panel draw and the inspector check of a new
    contract both judge independence by this one rule.
    """
    parties = set(org_ids)
    return sorted(
        f"{a.kind} by {a.org_id} from {a.start.isoformat()} to {a.end.isoformat() if a.end else 'now'}"
        for a in affiliations
        if a.org_id in parties and a.overlaps(since)
    )


@dataclass
class Expert:
    expert_id: str
    name: str
    domain: str  # "car" | "renovation"
    specialties: list[str]
    affiliations: list[Affiliation] = field(default_factory=list)
    open_cases: int = 0
    active: bool = True

    def __post_init__(self) -> None:
        validate_expert(self)


# ------------------------------------------------------------- validation
def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidExpert(field, "must be a non-empty string", "value_required")
    return value


def validate_affiliation(affiliation: Affiliation, field: str = "affiliation") -> None:
    _text(affiliation.org_id, f"{field}.org_id")
    if affiliation.kind not in AFFILIATION_KINDS:
        kinds = ", ".join(AFFILIATION_KINDS)
        raise InvalidExpert(
            f"{field}.kind", f"must be one of {kinds}", "unknown_affiliation_kind", params={"kinds": kinds}
        )
    try:
        require_date(affiliation.start, f"{field}.start")
        if affiliation.end is not None:
            require_date(affiliation.end, f"{field}.end")
    except TypeError as exc:
        raise InvalidExpert(field, str(exc), "not_a_date") from None
    if affiliation.end is not None and affiliation.end < affiliation.start:
        end, start = affiliation.end.isoformat(), affiliation.start.isoformat()
        raise InvalidExpert(
            f"{field}.end",
            f"ends {end} before it starts {start}",
            "ends_before_start",
            params={"end": end, "start": start},
        )


def validate_affiliations(affiliations: Any) -> None:
    """A list of well-formed affiliations (an expert's, an accredited inspector's)."""
    if not isinstance(affiliations, list | tuple):
        raise InvalidExpert("affiliations", "must be a list of affiliations")
    for n, affiliation in enumerate(affiliations):
        if not isinstance(affiliation, Affiliation):
            raise InvalidExpert(f"affiliations[{n}]", "must be an Affiliation")
        validate_affiliation(affiliation, f"affiliations[{n}]")


def validate_specialties(domain: str, specialties: Any) -> None:
    """Specialties must come from the domain's fixed set: at least one, none twice."""
    if domain not in SPECIALTIES:
        domains = ", ".join(DOMAINS)
        raise InvalidExpert(
            "domain", f"must be one of {domains}", "unknown_domain", params={"domains": domains}
        )
    if not isinstance(specialties, list | tuple) or not specialties:
        raise InvalidExpert("specialties", "at least one specialty is required", "specialties_required")
    allowed = SPECIALTIES[domain]
    for specialty in specialties:
        if specialty not in allowed:
            known = ", ".join(allowed)
            raise InvalidExpert(
                "specialties",
                f"unknown {domain} specialty {specialty!r}; known: {known}",
                "unknown_specialty",
                params={"specialty": str(specialty), "known": known},
            )
    if len(set(specialties)) != len(specialties):
        raise InvalidExpert("specialties", "a specialty is listed twice", "specialty_repeated")


def validate_expert(expert: Expert) -> None:
    _text(expert.expert_id, "expert_id")
    _text(expert.name, "name")
    validate_specialties(expert.domain, expert.specialties)
    validate_affiliations(expert.affiliations)
    if isinstance(expert.open_cases, bool) or not isinstance(expert.open_cases, int):
        raise InvalidExpert("open_cases", "must be an integer")
    if expert.open_cases < 0:
        raise InvalidExpert("open_cases", "cannot be negative")
    if not isinstance(expert.active, bool):
        raise InvalidExpert("active", "must be true or false")


# ---------------------------------------------------------- JSON document
def affiliations_document(affiliations: Iterable[Affiliation]) -> list[dict[str, Any]]:
    """Affiliations as JSON-ready data in a fixed order, so the order given cannot change a hash."""
    return sorted(
        (
            {
                "org_id": a.org_id,
                "kind": a.kind,
                "start": a.start.isoformat(),
                "end": a.end.isoformat() if a.end else None,
            }
            for a in affiliations
        ),
        key=lambda a: (a["org_id"], a["kind"], a["start"], a["end"] or ""),
    )


def expert_document(expert: Expert) -> dict[str, Any]:
    """The expert as canonical-JSON-ready data; list order is normalised so it cannot change a hash."""
    return {
        "expert_id": expert.expert_id,
        "name": expert.name,
        "domain": expert.domain,
        "specialties": sorted(expert.specialties),
        "affiliations": affiliations_document(expert.affiliations),
        "open_cases": expert.open_cases,
        "active": expert.active,
    }


def _iso_date(raw: Any, field: str) -> date:
    if not isinstance(raw, str):
        raise InvalidExpert(field, "must be an ISO date (YYYY-MM-DD)", "not_a_date")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidExpert(
            field, f"{raw!r} is not an ISO date (YYYY-MM-DD)", "not_a_date", params={"value": raw}
        ) from None


def affiliation_from_document(raw: Any, field: str = "affiliation") -> Affiliation:
    try:
        if not isinstance(raw, dict):
            raise InvalidExpert("affiliation", "must be an object")
        for key in ("org_id", "kind", "start"):
            if key not in raw:
                raise InvalidExpert(f"affiliation.{key}", "is missing")
        end = raw.get("end")
        return Affiliation(
            org_id=raw["org_id"],
            kind=raw["kind"],
            start=_iso_date(raw["start"], "affiliation.start"),
            end=None if end in (None, "") else _iso_date(end, "affiliation.end"),
        )
    except InvalidExpert as exc:  # name the row's own field, e.g. affiliations[1].end
        own = field + exc.field.removeprefix("affiliation")
        raise InvalidExpert(own, exc.message, exc.code, params=exc.params) from None


def expert_from_document(raw: Any) -> Expert:
    """Read an expert from JSON-like data (API body, CSV row already split), raising `InvalidExpert`."""
    if not isinstance(raw, dict):
        raise InvalidExpert("expert", "must be an object")
    for key in ("expert_id", "name", "domain", "specialties"):
        if key not in raw:
            raise InvalidExpert(key, "is missing")
    affiliations = raw.get("affiliations", [])
    if not isinstance(affiliations, list):
        raise InvalidExpert("affiliations", "must be a list")
    return Expert(
        expert_id=raw["expert_id"],
        name=raw["name"],
        domain=raw["domain"],
        specialties=list(raw["specialties"]) if isinstance(raw["specialties"], list) else raw["specialties"],
        affiliations=[affiliation_from_document(a, f"affiliations[{n}]") for n, a in enumerate(affiliations)],
        open_cases=raw.get("open_cases", 0),
        active=raw.get("active", True),
    )
