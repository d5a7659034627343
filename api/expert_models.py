"""Request and response bodies of the expert registry. The API never returns table models.

Bodies check only shape and types (wrong shape: 422 `invalid_input`); the registry's
rules (known domain, specialties from the domain's fixed set, affiliation kinds and
date order) are the pure model's, expert_panels.registry, and answer 422 with the rule's own
code (e.g. `unknown_specialty`) naming the field.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from db.experts import EXPERT_ID_PATTERN, NAME_MAX_LENGTH
from expert_panels.registry import AFFILIATION_KINDS, SPECIALTIES

_DOMAINS_DOC = "; ".join(f"{domain}: {', '.join(names)}" for domain, names in SPECIALTIES.items())


class AffiliationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: str = Field(max_length=200, description="the organisation, e.g. a party id or a company's code")
    kind: str = Field(description=f"one of {', '.join(AFFILIATION_KINDS)}")
    start: date
    end: date | None = Field(None, description="omitted or null: the tie still holds")


class AffiliationPublic(BaseModel):
    org_id: str
    kind: str
    start: date
    end: date | None


class ExpertBase(BaseModel):
    name: str = Field(max_length=NAME_MAX_LENGTH)
    domain: str = Field(description="car or renovation")
    specialties: list[str] = Field(max_length=20, description=f"from the domain's set ({_DOMAINS_DOC})")


class ExpertCreate(ExpertBase):
    model_config = ConfigDict(extra="forbid")

    expert_id: str | None = Field(
        None,
        pattern=EXPERT_ID_PATTERN,
        description="the council's own id; omitted: one like EXP-7KQ2MZ9A is made up",
    )
    affiliations: list[AffiliationIn] = Field(default_factory=list, max_length=100)
    party_id: str | None = Field(None, description="the expert's own party (role expert), if registered")


class ExpertUpdate(BaseModel):
    """Only the fields sent change; `affiliations` replaces the list; `party_id: null` unlinks."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=NAME_MAX_LENGTH)
    specialties: list[str] | None = Field(None, max_length=20)
    affiliations: list[AffiliationIn] | None = Field(None, max_length=100)
    party_id: str | None = None


class ExpertPublic(ExpertBase):
    expert_id: str
    affiliations: list[AffiliationPublic]
    party_id: str | None
    open_cases: int
    active: bool
    created_at: datetime
    updated_at: datetime


class ExpertsPublic(BaseModel):
    data: list[ExpertPublic]
    count: int = Field(description="how many experts match the filters, over all pages")


class ImportedRow(BaseModel):
    row: int = Field(description="the row in the file; the header is row 1")
    expert_id: str
    status: Literal["ok"] = "ok"


class ImportResult(BaseModel):
    imported: int
    rows: list[ImportedRow]


class RowError(BaseModel):
    row: int = Field(description="the row in the file; the header is row 1")
    field: str
    code: str = Field(description="why, for a program: a code of the error catalogue")
    message: str = Field(description="why, in the reader's language (`Accept-Language`)")
    reason: str = Field(description="why, in the import's own English, for developers and logs")
    params: dict[str, str | int] = Field(description="the values `message` names (amounts in fen)")
