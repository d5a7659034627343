"""Request and response bodies of the inspector accreditation list. The API never returns table models.

Bodies check only shape and types (wrong shape: 422 `invalid_input`); the list's rules
(renovation specialties from the fixed set, affiliation kinds and date order, a validity
period that ends after it starts) are the pure model's, expert_panels.inspectors, and
answer 422 `invalid_accreditation` naming the field.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from api.expert_models import AffiliationIn, AffiliationPublic
from db.experts import EXPERT_ID_PATTERN
from db.inspectors import REASON_MAX_LENGTH
from expert_panels.registry import RENOVATION, SPECIALTIES

_SPECIALTIES_DOC = f"renovation specialties: {', '.join(SPECIALTIES[RENOVATION])}"


class AccreditationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party_id: str = Field(max_length=100, description="the inspector's party (role inspector)")
    accreditation_id: str | None = Field(
        None,
        pattern=EXPERT_ID_PATTERN,
        description="the council's own id; omitted: one like ACC-7KQ2MZ9A is made up",
    )
    specialties: list[str] = Field(max_length=20, description=_SPECIALTIES_DOC)
    valid_from: date
    valid_until: date = Field(description="the last day the accreditation holds")
    affiliations: list[AffiliationIn] = Field(default_factory=list, max_length=100)


class AccreditationUpdate(BaseModel):
    """Only the fields sent change; `affiliations` replaces the list. Renewal moves `valid_until`."""

    model_config = ConfigDict(extra="forbid")

    specialties: list[str] | None = Field(None, max_length=20)
    valid_from: date | None = None
    valid_until: date | None = None
    affiliations: list[AffiliationIn] | None = Field(None, max_length=100)


class Deactivation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=REASON_MAX_LENGTH, description="why the council withdraws it"
    )


class AccreditedInspector(BaseModel):
    """What anyone signed in may read: who may be named as a contract's inspector, and until when."""

    party_id: str
    name: str
    specialties: list[str]
    valid_from: date
    valid_until: date


class AccreditationPublic(AccreditedInspector):
    """The council's whole record, with the affiliations the conflict check reads."""

    accreditation_id: str
    affiliations: list[AffiliationPublic]
    active: bool = Field(description="false once deactivated")
    deactivation_reason: str | None
    deactivated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AccreditationsPublic(BaseModel):
    data: list[AccreditationPublic]
    count: int = Field(description="how many accreditations match the filters, over all pages")


class AccreditedInspectors(BaseModel):
    data: list[AccreditedInspector]
    count: int = Field(description="how many inspectors are accredited today, over all pages")
