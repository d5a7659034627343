"""Bodies and answers of the consumer warning routes (api/routes/warnings.py). `WarningPublic` is
what anyone reads at /public/warnings.json: declared, so its shape is part of the contract."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from public_record.periods import MONTH_PATTERN

WarningState = Literal["draft", "published", "withdrawn", "discarded"]

# A reason is text someone reads: line breaks and tabs, no other control character (PostgreSQL
# cannot store NUL), and at least one visible character.
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
REASON_PATTERN = rf"^{_TEXT}*[^\s\x00-\x1f\x7f]{_TEXT}*$"


class SpikeRef(BaseModel):
    """Which spike a warning is drafted from: the server looks its figures up again."""

    model_config = ConfigDict(extra="forbid")

    subject: Literal["category", "business"]
    key: str = Field(min_length=1, max_length=120, description="the category, or the business's party id")
    month: str = Field(pattern=MONTH_PATTERN.pattern, description="YYYY-MM")


class WarningCreate(BaseModel):
    """A council member's draft. Its words are frozen: the members sign a digest of them."""

    model_config = ConfigDict(extra="forbid")

    title_zh: str = Field(min_length=1, max_length=120)
    title_en: str = Field(min_length=1, max_length=120)
    text_zh: str = Field(min_length=1, max_length=4000, description="plain language, for consumers")
    text_en: str = Field(min_length=1, max_length=4000)
    category: str = Field(
        min_length=1,
        max_length=60,
        description="renovation, car, or a domain and specialty (renovation/plumbing)",
    )
    business_ids: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="verified businesses the council decided to name (none by default)",
    )
    valid_from: date
    valid_until: date = Field(description="on or after valid_from, within a year of it")
    spike: SpikeRef | None = Field(None, description="the complaint spike it comes from, if any")


class WarningDiscard(BaseModel):
    """Why a council member discards a draft: kept with the draft, which stays readable."""

    model_config = ConfigDict(extra="forbid", strict=True)

    reason: str = Field(
        min_length=1,
        max_length=1000,
        pattern=REASON_PATTERN,
        description="why the council decided against this draft, e.g. 'a typo in the title'",
    )


class SpikeFigures(BaseModel):
    """The figures behind a warning: the spike as the rule computed it (public_record/alerts.py).
    A business spike's business is shown only when the warning names it."""

    subject: str
    key: str | None
    label: str | None
    month: str
    quarter: str
    count: int
    baseline: list[int]
    mean: float
    sd: float
    threshold: float
    counts_url: str = Field(description="every complaint counted, by category, business and quarter")
    quarter_url: str = Field(description="the quarter's published list, once published")


class NamedBusiness(BaseModel):
    party_id: str
    name: str


class WarningPublic(BaseModel):
    """A published (or withdrawn) warning as anyone reads it."""

    id: str
    state: Literal["published", "withdrawn"]
    in_force: bool = Field(description="published, not withdrawn, and today within its validity")
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    category: str
    businesses: list[NamedBusiness]
    valid_from: date
    valid_until: date
    published_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    spike: SpikeFigures | None
    counts_url: str


class WarningSignatureView(BaseModel):
    purpose: Literal["publish", "withdraw"]
    member_id: str
    signed_at: datetime


class WarningCouncil(BaseModel):
    """A warning as the council sees it, drafts included, with who signed what."""

    id: str
    state: WarningState
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    category: str
    business_ids: list[str]
    valid_from: date
    valid_until: date
    spike: SpikeFigures | None
    content_hash: str = Field(description="what a `warning.publish` signature's payload names as `content`")
    created_by: str
    created_at: datetime
    published_at: datetime | None
    withdrawal_reason: str | None = Field(
        description="the reason the first withdrawal signature gave; the second signs the same"
    )
    withdrawn_at: datetime | None
    discarded_by: str | None = Field(description="the council member who discarded the draft")
    discarded_at: datetime | None
    discard_reason: str | None
    signatures: list[WarningSignatureView] = Field(
        description="a discarded draft's publication signatures stay listed, and are void"
    )
