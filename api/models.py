"""Request and response bodies. The API never returns table models."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler, StrictInt
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from domain.escrow.terms import SilencePolicy
from domain.money import MAX_AMOUNT_FEN
from domain.roles import PARTY_ROLES, Role
from domain.steps.machine import AuditEntry

# Amounts a person or a system supplies: JSON integers only (pydantic's lax mode would take
# 100000.0, 1e5, "100000" and true as fen), from 0 or 1 fen to the bound in domain/money.py.
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_FEN)]
PositiveFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN)]


class PartyRoles:
    """On a `Role`: only the roles a party registers as (domain/roles.py PARTY_ROLES), refused with
    the list of them; a case's sides (claimant, respondent) are not among them."""

    members = [role for role in Role if role in PARTY_ROLES]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        values = core_schema.literal_schema([role.value for role in self.members])
        return core_schema.no_info_after_validator_function(Role, values)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": [role.value for role in self.members]}


PartyRole = Annotated[Role, PartyRoles()]


class PartyBase(BaseModel):
    role: PartyRole
    display_name: str = Field(min_length=1, max_length=200)


class PartyCreate(PartyBase):
    public_key: str = Field(
        min_length=40, max_length=64, description="base64 of the raw 32-byte Ed25519 public key"
    )
    address: str | None = Field(
        None, max_length=300, description="a business's address, printed in the council's public lists"
    )
    credit_code: str | None = Field(
        None,
        max_length=40,
        description="a contractor's, dealer's or inspector's unified social credit code (统一社会信用代码)"
        " from its business licence; required of those roles, refused from the others",
    )
    legal_name: str | None = Field(
        None,
        max_length=200,
        description="the legal name (法定名称) on the same licence; required with the code",
    )


class PartyPublic(PartyBase):
    id: str
    public_key: str
    created_at: datetime
    credit_code: str | None
    legal_name: str | None
    verified_at: datetime | None = Field(
        description="when the council verified this business; null: not verified"
    )


class PartyRegistered(BaseModel):
    party: PartyPublic
    token: str = Field(
        description="an API token (bearer, for reading and filing); shown once, never stored in clear,"
        " expires after `ESCROW_API_TOKEN_DAYS`"
    )


class TokenPublic(BaseModel):
    """One of a party's tokens as its party may see it: never the secret nor its hash."""

    id: str
    kind: Literal["api", "session"] = Field(description="api: a program's bearer token; session: a browser's")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    current: bool = Field(description="whether this request was made with this token")


class TokenIssued(TokenPublic):
    token: str = Field(description="the new API token (bearer); shown once, never stored in clear")


class StageIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    amount_fen: PositiveFen


class ContractPlan(BaseModel):
    """The standard plan for a total, as the contract form starts from it."""

    stages: list[StageIn]
    retention_fen: Fen
    total_fen: PositiveFen = Field(description="the stages plus the retention")


class DurationsIn(BaseModel):
    funding_days: int = Field(14, ge=1, le=365)
    inspection_days: int = Field(3, ge=1, le=90)
    acceptance_days: int = Field(7, ge=1, le=90)
    warranty_days: int = Field(730, ge=1, le=3650)
    max_failed_rounds: int = Field(3, ge=1, le=10)


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    owner_id: str
    contractor_id: str
    inspector_id: str
    total_fen: PositiveFen | None = Field(
        None, description="split by the default plan when `stages` is omitted"
    )
    stages: list[StageIn] | None = Field(None, min_length=1, max_length=20)
    retention_fen: Fen | None = None
    silence_policy: SilencePolicy = SilencePolicy.ESCALATE
    includes_waterproofing: bool = Field(
        False, description="waterproofing work carries a 5-year warranty unless durations say otherwise"
    )
    durations: DurationsIn | None = None


class ContractCreated(BaseModel):
    escrow_id: str
    terms: dict[str, Any]
    terms_hash: str


class SignedStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    envelope: dict[str, Any] = Field(description="the envelope exactly as signed (canonical JSON)")
    signature: str = Field(min_length=1, max_length=200, description="base64 Ed25519 signature")


class StepAccepted(BaseModel):
    subject_id: str = Field(description="the escrow or case the step was for")
    action: str
    entry_hash: str
    version: int
    phase: str


class EscrowSummary(BaseModel):
    escrow_id: str
    title: str = ""  # the contract's title, from the stored snapshot
    status: str
    current_stage: int | None
    total_fen: int
    deposited_fen: int
    released_fen: int
    refunded_fen: int
    held_fen: int
    updated_at: datetime
    waiting_for_you: bool = False  # an open action of the stored snapshot is the caller's


class AuditTrailBase(BaseModel):
    """A trail export: the signed terms and every signed step, hash-chained from the terms' hash.

    The terms and each envelope stay the documents that were hashed and signed, key for key,
    so that `escrow audit --verify` recomputes the same hashes offline. The id key says what the
    trail is of (domain/audit.py).
    """

    terms: dict[str, Any]
    terms_hash: str
    council_keys: dict[str, str]
    entries: list[AuditEntry]


class EscrowAuditTrail(AuditTrailBase):
    escrow_id: str


class FundAuditTrail(AuditTrailBase):
    """A compensation fund's trail: its business's pledges and withdrawals and the council's
    advances (docs/ADVANCE_COMPENSATION.md, "Audit")."""

    fund_id: str


class WebhookAck(BaseModel):
    status: str


class DepositInstructions(BaseModel):
    """Where and how the owner pays money into an escrow, as the API knows it.

    Money never passes through this API: the owner pays the bank, and the bank confirms
    each deposit to the API by its signed webhook. So whoever pays in (the owner's
    banking app, `escrow demo`, the escrow page's sandbox snippet) must be told which bank
    and which account; asking the escrow keeps them from being configured twice and
    guessed apart (the demo used to need ESCROW_BANK_URL besides the API's URL).
    """

    escrow_id: str
    bank_url: str = Field(description="the bank's API, where the transfer is made (the sandbox bank)")
    bank_name: str = Field(description="the bank's name, as a person paying by transfer names it")
    account_holder: str = Field(description="the name the escrow's account is held in (收款人户名)")
    account_id: str = Field(description="the escrow's own account at that bank")
    payer_id: str = Field(description="the party expected to pay: the escrow's owner")
    reference: str = Field(
        description="the reference to quote on the transfer: the escrow's id and two check digits "
        "(ISO 7064 MOD 97-10), so a mistyped reference names no escrow; the bank statement shows it"
    )
    due_fen: int = Field(ge=0, description="what the contract still needs deposited; 0 when fully funded")
