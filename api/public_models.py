"""What the public record's JSON addresses answer, declared: anyone may read them, so their shape is
part of the contract as much as the API's (the OpenAPI document shows it; a client validates it).

The frozen quarterly list keeps its moments as the ISO strings it was published with: it is served
as it was frozen, byte for byte in its values, until it expires.
"""

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from domain.alert_codes import AlertCode, AlertParams
from public_record.alerts import SpikeAlert
from public_record.complaints import Tally
from public_record.quarterly import ListedBusiness


class FrozenRating(BaseModel):
    """A business's star rating as a quarter's publication froze it (docs/RATINGS.md)."""

    stars: int | None
    score: float | None
    parts: dict[str, float]


class PublishedList(BaseModel):
    """A quarter's list as published: the businesses most complained about, with their figures."""

    quarter: str
    period_start: str
    period_end: str
    published_at: str
    expires_at: str
    complaints_in_quarter: int
    businesses: list[ListedBusiness]
    ratings: dict[str, FrozenRating] = Field(
        default_factory=dict, description="each verified business's stars when published"
    )


class GroupCount(BaseModel):
    count: int
    outcomes: dict[str, int]
    mediation_rate: float | None

    @classmethod
    def of(cls, group: Tally) -> "GroupCount":
        return cls(count=group.count, outcomes=group.outcomes, mediation_rate=group.mediation_rate)


class CountedDispute(BaseModel):
    """One dispute as counted: `raised_by` consumer makes it a complaint."""

    key: str
    business_id: str
    consumer_id: str
    raised_by: str
    domain: str
    specialty: str
    filed_at: datetime
    closed_at: datetime | None
    outcome: str
    escrow_id: str | None


class ComplaintCounts(BaseModel):
    """Every dispute counted by business, category, domain, quarter filed and outcome."""

    disputes: int
    complaints: int
    by_business: dict[str, GroupCount]
    by_category: dict[str, GroupCount]
    by_domain: dict[str, GroupCount]
    by_quarter: dict[str, GroupCount]
    by_outcome: dict[str, int]
    items: list[CountedDispute]


class ComplaintSpike(BaseModel):
    """A month's complaints against a category or business far above its own baseline: the
    figures, and the council alert they make (`code` and `params`, rendered per reader)."""

    subject: str
    key: str
    label: str
    month: str
    count: int
    baseline: list[int]
    mean: float
    sd: float
    threshold: float
    code: AlertCode
    params: AlertParams

    @classmethod
    def of(cls, alert: SpikeAlert) -> "ComplaintSpike":
        return cls(**asdict(alert), code=AlertCode.COMPLAINT_SPIKE, params=alert.params)
