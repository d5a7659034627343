"""The case workflow's public types: what the API and the escrow send, and get back."""

from dataclasses import dataclass, field

from domain.case.outcomes import Outcome
from domain.case.terms import CaseTerms

CASE_WORKFLOW_PREFIX = "dispute-"


def case_workflow_id(case_id: str) -> str:
    return CASE_WORKFLOW_PREFIX + case_id


@dataclass
class CaseInput:
    terms: CaseTerms
    council_keys: dict[str, str] = field(default_factory=dict)
    calendar: dict[str, list[str]] = field(default_factory=dict)  # WorkCalendar.document()
    max_skew_seconds: int = 900


@dataclass
class CaseOutcome:
    case_id: str
    phase: str
    outcome: Outcome | None
    noncompliant: bool
