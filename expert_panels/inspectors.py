"""The council's list of accredited inspectors as plain data, and who may inspect for whom.

An inspector is accredited the way an expert is registered (expert_panels.registry):
renovation specialties from the same fixed set, dated affiliations in the same model,
so the inspector's independence from a contractor is judged by the panel draw's rule
(`conflicting_ties`, over `CONFLICT_YEARS`). On top of that an accreditation has a
validity period and can be deactivated with a reason. Validation runs on construction,
so an `Accreditation` that exists is well formed.

One inspector party may hold several accreditations over the years (renewed,
deactivated, granted again) but at most one that is not deactivated; the store keeps
that rule, `ineligibility` judges one inspector from all of its records.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from expert_panels.periods import add_years, require_date
from expert_panels.registry import (
    CONFLICT_YEARS,
    RENOVATION,
    Affiliation,
    InvalidExpert,
    conflicting_ties,
    validate_affiliations,
    validate_specialties,
)

# Refusal codes of a contract naming an inspector (api/routes/escrows.py).
NOT_ACCREDITED = "inspector_not_accredited"
CONFLICT = "inspector_conflict"


class InvalidAccreditation(InvalidExpert):
    """Accreditation data that must not be stored; `field` says which value is wrong.

    A kind of `InvalidExpert`, since the specialties and affiliations are checked by the
    expert registry's own rules and raise that."""


@dataclass(frozen=True)
class Accreditation:
    accreditation_id: str
    party_id: str
    specialties: list[str]  # renovation specialties
    valid_from: date
    valid_until: date  # the last day it holds
    affiliations: list[Affiliation] = field(default_factory=list)
    deactivation_reason: str | None = None  # None: not deactivated

    def __post_init__(self) -> None:
        validate_accreditation(self)

    @property
    def deactivated(self) -> bool:
        return self.deactivation_reason is not None

    def holds_on(self, day: date) -> bool:
        """Not deactivated, and `day` within the validity period (both ends included)."""
        return not self.deactivated and self.valid_from <= day <= self.valid_until


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidAccreditation(field, "must be a non-empty string")
    return value


def validate_accreditation(accreditation: Accreditation) -> None:
    _text(accreditation.accreditation_id, "accreditation_id")
    _text(accreditation.party_id, "party_id")
    validate_specialties(RENOVATION, accreditation.specialties)
    for name in ("valid_from", "valid_until"):
        try:
            require_date(getattr(accreditation, name), name)
        except TypeError as exc:
            raise InvalidAccreditation(name, str(exc)) from None
    if accreditation.valid_until < accreditation.valid_from:
        raise InvalidAccreditation(
            "valid_until",
            f"ends {accreditation.valid_until.isoformat()} before it starts "
            f"{accreditation.valid_from.isoformat()}",
        )
    validate_affiliations(accreditation.affiliations)
    if accreditation.deactivation_reason is not None:
        _text(accreditation.deactivation_reason, "reason")


def ineligibility(
    inspector: str, records: Sequence[Accreditation], contractor_id: str, on: date
) -> tuple[str, str] | None:
    """Why the inspector (named `inspector` in the sentence) may not be named in a contract
    with this contractor drafted on `on`: (code, sentence), or None if it may.

    Eligible means an accreditation that holds on that day and no tie with the contractor
    since `CONFLICT_YEARS` before it, future ties included, exactly as a panel draw judges
    an expert.
    """
    holding = next((a for a in records if a.holds_on(on)), None)
    if holding is None:
        return NOT_ACCREDITED, f"{inspector} {_why_not_holding(records, on)}"
    since = add_years(on, -CONFLICT_YEARS)
    ties = conflicting_ties(holding.affiliations, [contractor_id], since)
    if ties:
        return CONFLICT, (
            f"{inspector} is not independent of contractor {contractor_id}: {'; '.join(ties)} "
            f"(ties since {since.isoformat()} count); name another inspector"
        )
    return None


def _why_not_holding(records: Iterable[Accreditation], on: date) -> str:
    current = next((a for a in records if not a.deactivated), None)
    if current is not None and on < current.valid_from:
        return f"is accredited only from {current.valid_from.isoformat()}"
    if current is not None:
        return f"was accredited until {current.valid_until.isoformat()}; the council must renew it first"
    deactivated = [a for a in records if a.deactivated]
    if deactivated:
        last = max(deactivated, key=lambda a: a.valid_until)
        return f"had its accreditation deactivated by the council: {last.deactivation_reason}"
    return "is not on the council's list of accredited inspectors"
