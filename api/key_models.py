"""Bodies of the device (key) and pairing endpoints (api/routes/keys.py); never the table models."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.models import PartyRole, SignedStepIn
from db.pairings import PairingStatus

STATUS_DESCRIPTION = (
    "waiting: for the new device to enter the code; answered: the new device sent its key, "
    "a device of the party may confirm; done: the key was added; expired: past `expires_at`; "
    "closed: too many wrong codes were tried on it"
)
CODE_DESCRIPTION = "the pairing code the signed-in device shows (case, spaces and dashes do not matter)"


class DevicePublic(BaseModel):
    """One of the party's keys, as the party sees it."""

    id: str = Field(description="the key's id (domain.keys.key_id)")
    label: str
    public_key: str
    fingerprint: str = Field(description="the digits both devices show while pairing")
    via: str = Field(
        description="how it was added: registration, key.add (paired), key.recover (the council)"
    )
    added_at: datetime
    last_used_at: datetime | None = Field(description="its last sign-in, API token or claim")
    revoked_at: datetime | None
    this_device: bool = Field(description="whether this is the key the request named as its own")


class PairingOpened(BaseModel):
    """What the signed-in device shows: the code, and a QR of the address that carries it."""

    id: str
    code: str = Field(description="shown once; only its hash is kept")
    url: str = Field(description="the new device's pairing page with the code (after `#`, never sent)")
    qr_svg: str = Field(description="`url` as a QR code, an inline SVG document")
    expires_at: datetime


class NewKeyPublic(BaseModel):
    public_key: str
    label: str
    fingerprint: str
    possession: SignedStepIn = Field(description="the new key's signed `key.pair`, for `key.add` to carry")


class PairingPublic(BaseModel):
    """A pairing as the party's signed-in devices follow it."""

    id: str
    status: PairingStatus = Field(description=STATUS_DESCRIPTION)
    expires_at: datetime
    new_key: NewKeyPublic | None = Field(description="once the new device answered")


class PairingCodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=20, description=CODE_DESCRIPTION)


class PairingInvite(BaseModel):
    """What the new device learns from the code: whose key it is about to become."""

    pairing_id: str = Field(description="follow the pairing with GET /pairings/{pairing_id}")
    party_id: str = Field(description="the subject and signer of the `key.pair` to sign")
    display_name: str
    role: PartyRole
    expires_at: datetime


class PairingAnswer(PairingCodeIn):
    possession: SignedStepIn = Field(
        description="a `key.pair` envelope (subject and signer: the party; payload: {public_key, label}) "
        "signed by the new key itself"
    )


class PairingProgress(BaseModel):
    """A pairing as the new device follows it (it is not signed in yet)."""

    pairing_id: str
    status: PairingStatus = Field(description=STATUS_DESCRIPTION)
    expires_at: datetime
    fingerprint: str | None = Field(description="of the key it sent, once it answered")
