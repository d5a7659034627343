"""The fund workflow's public types: what the API and the cases send it."""

from dataclasses import dataclass, field

from domain.fund.terms import AdvanceClaim, FundTerms

WORKFLOW_ID_PREFIX = "fund-"


def fund_workflow_id(fund_id: str) -> str:
    return WORKFLOW_ID_PREFIX + fund_id


@dataclass
class FundInput:
    terms: FundTerms
    council_keys: dict[str, str] = field(default_factory=dict)
    # overdue cases against the business already on record when the fund opened
    claims: list[AdvanceClaim] = field(default_factory=list)
    max_skew_seconds: int = 900
