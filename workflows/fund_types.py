"""The fund workflow's public types: what the API and the cases send it."""

from dataclasses import dataclass, field

from domain.fund.carry import VERSIONS_PER_RUN, FundCarry
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
    # the run continues as new after this many changes (settings.fund_versions_per_run), or sooner
    # when Temporal suggests it (docs/ADVANCE_COMPENSATION.md, "The fund's runs")
    versions_per_run: int = VERSIONS_PER_RUN
    # set only in a run the fund continued as new into: the life it carries on
    carried: FundCarry | None = None
