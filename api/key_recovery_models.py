"""Bodies of the key recovery routes (api/routes/key_recovery.py). No answer ever carries the
identity document's number, nor its keyed hash."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.models import SignedStepIn

# The documents a consumer council checks a person's identity with.
DocumentKind = Literal[
    "resident_identity_card",  # 居民身份证
    "passport",
    "mainland_travel_permit",  # 港澳台居民来往内地通行证
    "foreign_permanent_resident_card",  # 外国人永久居留身份证
    "residence_permit",  # 港澳台居民居住证
]
RecoveryState = Literal["requested", "checked", "approved", "waiting", "cancelled", "done", "failed"]


class RecoveryRequestCreate(BaseModel):
    """What the new device sends: whose keys it asks to replace, and its own signed `key.pair`."""

    model_config = ConfigDict(extra="forbid")

    party_id: str = Field(min_length=1, max_length=64, description="the party whose every key was lost")
    pairing: SignedStepIn = Field(
        description="the new key's `key.pair` envelope for the party (subject and signer: the party id; "
        "payload: {public_key, label}), signed with the new key"
    )


class RecoveryPublic(BaseModel):
    """A request as anyone holding its id sees it (the new device's page polls this)."""

    request_id: str
    party_id: str
    label: str = Field(description="the new device's label")
    key_id: str = Field(description="the new key's short id")
    state: RecoveryState
    requested_at: datetime
    effective_at: datetime | None = Field(
        description="when the recovery takes effect, once both members signed"
    )
    closed_at: datetime | None


class RecoveryCouncilPublic(RecoveryPublic):
    """A request as the council's desk sees it: what was checked, and who signed."""

    public_key: str
    waiting_hours: int = Field(
        description="the waiting period the members sign for (ESCROW_RECOVERY_WAITING_HOURS)"
    )
    document_kind: str | None
    photo_matched: bool | None
    name_matched: bool | None
    check_notes: str | None
    checked_by: str | None
    checked_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    bound_by: str | None
    cancelled_by_key: str | None
    failure: str | None


class IdentityCheckCreate(BaseModel):
    """What a council member checked in person. The number is hashed at once (HMAC-SHA256 under
    ESCROW_ID_NUMBER_SECRET) and never stored, logged or answered."""

    model_config = ConfigDict(extra="forbid")

    document_kind: DocumentKind
    document_number: str = Field(min_length=4, max_length=40, description="as printed on the document")
    photo_matched: StrictBool = Field(description="the person is the one on the document's photo")
    name_matched: StrictBool = Field(description="the document's name is the party's registered name")
    notes: str = Field("", max_length=1000, description="anything else the member saw or asked")
