"""Request and response bodies of verified businesses: the licence a business registers with, the
council's verification, and the card a contract form shows for a typed party id."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.models import PartyRole


class PartyCardPublic(BaseModel):
    """Who a party id names, as anyone signed in may see it before naming the party.

    A business's code and legal name are what its licence prints in public; a consumer has neither.
    """

    id: str
    role: PartyRole
    display_name: str
    legal_name: str | None
    credit_code: str | None
    verified: bool = Field(description="a business the council verified; a consumer is never verified")


class BusinessPublic(BaseModel):
    """A business as the council sees it when it checks the licence."""

    id: str
    role: PartyRole
    display_name: str
    legal_name: str | None
    credit_code: str | None
    address: str | None
    created_at: datetime
    verified_at: datetime | None
    verified_by: str | None = Field(
        description="who last verified or revoked: a council member, or a housing association acting for one"
    )
    verified_for: str | None = Field(
        default=None,
        description="the council member a housing association verified for (its delegation's grantor);"
        " null when a council member decided in person",
    )
    verification_note: str | None = Field(description="what was checked, or why it was revoked")


class VerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked: str = Field(
        min_length=1,
        max_length=1000,
        description="what the council checked, e.g. 'licence original seen, legal name and code match'",
    )


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="why the verification no longer holds")


class DelegationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party_id: str = Field(min_length=1, max_length=40, description="the housing association's party id")
    note: str = Field(
        min_length=1,
        max_length=1000,
        description="what the council checked, e.g. 'agreement 2026-07 signed; the association's licence"
        " seen'",
    )


class DelegationRevocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=1000, description="why the association no longer acts for the council"
    )


class DelegationPublic(BaseModel):
    """A delegation of business verification to a housing association, as the council keeps it."""

    id: str
    delegate_id: str
    delegate_name: str
    granted_by: str
    granted_at: datetime
    note: str
    in_force: bool
    revoked_by: str | None
    revoked_at: datetime | None
    revocation_reason: str | None
