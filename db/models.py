"""Application tables: what Temporal should not hold.

Workflow code must never import this module: the Temporal sandbox re-imports
modules per run and table classes cannot be defined twice ("Table already
defined"). Workflows exchange plain data; activities and the API map it here.

The tables live in their own registry and MetaData rather than SQLModel's
global one, so tables another service defines with SQLModel (the sandbox bank,
in its own database) never leak into these migrations or vice versa. The
naming convention gives every constraint a stable name on every backend, which
SQLite batch migrations need to alter them later.
"""

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    LargeBinary,
    MetaData,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC and always timezone-aware in Python.

    SQLite keeps no offset and PostgreSQL returns the session's zone; converting
    on the way in and tagging on the way out makes both backends return the same
    value, and rejecting naive datetimes stops local times slipping in unnoticed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class AppModel(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    pass


metadata = AppModel.metadata


class Party(AppModel, table=True):
    """A person or organisation that signs steps; its tokens are in `party_token`."""

    __tablename__ = "party"

    id: str = Field(primary_key=True)
    role: str
    display_name: str
    public_key: str = Field(unique=True)
    # A business's address as it registered it: the quarterly list prints it beside the name.
    address: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # A business (contractor, dealer, inspector) names itself by its licence: its unified social
    # credit code (domain/credit_code.py) and legal name. The council verifies both against the
    # licence before the business can be named in a contract or case or printed by name;
    # `verified_at` None means unverified (never verified, or revoked: the note says why).
    credit_code: str | None = Field(default=None, unique=True)
    legal_name: str | None = None
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by: str | None = None
    verification_note: str | None = Field(default=None, sa_type=Text)
    # When a housing association verified it for the council (db/delegations.py): the council
    # member whose delegation it acted under; None when a council member decided in person.
    verified_for: str | None = None


class PartyToken(AppModel, table=True):
    """A bearer secret of one party: an API token for programs or a browser's session.

    Only the secret's SHA-256 is kept. Every token expires; revoking one sets `revoked_at`
    and keeps the row. `nonce` is the nonce of the signed envelope that asked for the token
    (None for the token answered at registration): unique per party, so one signed request
    opens one session or issues one token, however often it is replayed.
    """

    __tablename__ = "party_token"
    __table_args__ = (
        CheckConstraint("kind IN ('api', 'session')", name="kind"),
        UniqueConstraint("party_id", "nonce"),
    )

    id: str = Field(primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    kind: str
    token_hash: str = Field(unique=True)
    nonce: str | None = None
    # The device key whose signature asked for it (the registration key, for the first token):
    # revoking that key revokes the token too, so a lost phone's open session ends with its key.
    key_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PartyKeyRecord(AppModel, table=True):
    """One of a party's keys (a device), as the party's signed key events left it (db/keys.py).

    The party's registration key is its first row (`via` "registration"); `Party.public_key`
    keeps naming it, the root every process replays the events from (domain/keys.py). A key
    is unique across all parties, revoked ones included, so no key ever signs for two parties.
    """

    __tablename__ = "party_key"

    id: str = Field(primary_key=True)  # domain.keys.key_id of the public key
    party_id: str = Field(foreign_key="party.id", index=True)
    public_key: str = Field(unique=True)
    label: str
    via: str  # registration | key.add | key.recover
    added_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class KeyEventRecord(AppModel, table=True):
    """A signed key event a party's keys were changed by, in the order they were applied: what
    every open escrow and case is sent with the party's steps (api/routes/steps.py)."""

    __tablename__ = "key_event"
    __table_args__ = (UniqueConstraint("party_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    seq: int
    action: str
    envelope: str = Field(sa_type=Text)  # canonical JSON, exactly as signed
    signature: str
    event_hash: str = Field(unique=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class EscrowProjection(AppModel, table=True):
    """Read model of one escrow workflow, for lists and dashboards.

    `version` is the workflow's projection sequence: writes carrying an older or
    equal version are dropped, so the row never goes backwards. The checks
    repeat the money rules so a broken snapshot is refused rather than shown.
    """

    __tablename__ = "escrow_projection"
    __table_args__ = (
        CheckConstraint(
            "total_fen >= 0 AND deposited_fen >= 0 AND released_fen >= 0"
            " AND refunded_fen >= 0 AND held_fen >= 0",
            name="amounts_non_negative",
        ),
        CheckConstraint("deposited_fen = released_fen + refunded_fen + held_fen", name="conservation"),
    )

    escrow_id: str = Field(primary_key=True)
    # Not unique on purpose: on PostgreSQL a second unique index beside the upsert's
    # conflict target makes two concurrent first inserts fail instead of merging.
    workflow_id: str
    owner_id: str = Field(foreign_key="party.id", index=True)
    contractor_id: str = Field(foreign_key="party.id", index=True)
    inspector_id: str | None = Field(default=None, foreign_key="party.id", index=True)
    status: str
    current_stage: int | None = None
    total_fen: int = Field(sa_type=BigInteger)
    deposited_fen: int = Field(sa_type=BigInteger)
    released_fen: int = Field(sa_type=BigInteger)
    refunded_fen: int = Field(sa_type=BigInteger)
    held_fen: int = Field(sa_type=BigInteger)
    version: int = Field(sa_type=BigInteger)
    summary_json: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CaseProjection(AppModel, table=True):
    """Read model of one dispute case workflow, for lists of cases.

    Versioned like `escrow_projection`: a write carrying an older or equal version
    is dropped. The parties are not foreign keys: a case names its parties by the
    keys in its terms, and the read model must take whatever the workflow holds
    rather than stall its projection. `outcome` is the concluded outcome's kind
    (split, refund, rework or remedy), None with its amounts until the case concludes.
    """

    __tablename__ = "case_projection"
    __table_args__ = (
        CheckConstraint(
            "disputed_fen >= 0 AND (pay_fen IS NULL OR pay_fen >= 0)"
            " AND (refund_fen IS NULL OR refund_fen >= 0)",
            name="amounts_non_negative",
        ),
    )

    case_id: str = Field(primary_key=True)
    workflow_id: str
    domain: str
    main_specialty: str | None = None  # the claim's category; None for runs projected before 0005
    claimant_id: str = Field(index=True)
    respondent_id: str = Field(index=True)
    escrow_id: str | None = None
    phase: str
    disputed_fen: int = Field(sa_type=BigInteger)
    outcome: str | None = None
    pay_fen: int | None = Field(default=None, sa_type=BigInteger)
    refund_fen: int | None = Field(default=None, sa_type=BigInteger)
    remedy: str | None = None
    noncompliant: bool = False
    version: int = Field(sa_type=BigInteger)
    summary_json: str = Field(sa_type=Text)
    filed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class FundProjection(AppModel, table=True):
    """Read model of one business's compensation fund (workflows/fund.py), versioned like the
    escrows': a write carrying an older or equal version is dropped. The figures are the ledger's,
    for lists and the public marks; `summary_json` is the whole `FundSnapshot`."""

    __tablename__ = "fund_projection"
    __table_args__ = (
        CheckConstraint(
            "pledged_fen >= 0 AND deposited_fen >= 0 AND advanced_fen >= 0 AND withdrawn_fen >= 0"
            " AND owed_fen >= 0",
            name="amounts_non_negative",
        ),
    )

    fund_id: str = Field(primary_key=True)
    workflow_id: str
    business_id: str = Field(index=True, unique=True)
    status: str
    pledged_fen: int = Field(sa_type=BigInteger)
    deposited_fen: int = Field(sa_type=BigInteger)
    advanced_fen: int = Field(sa_type=BigInteger)
    withdrawn_fen: int = Field(sa_type=BigInteger)
    owed_fen: int = Field(sa_type=BigInteger)
    held_fen: int = Field(sa_type=BigInteger)
    version: int = Field(sa_type=BigInteger)
    summary_json: str = Field(sa_type=Text)
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuditEntry(AppModel, table=True):
    """One accepted signed step; `envelope_json` is kept byte-for-byte as signed.

    `subject_id` names the step's subject: an escrow id, or a case id (CASE-...) for
    the steps of a dispute case, whose trail is kept here too.
    """

    __tablename__ = "audit_entry"

    subject_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    action: str
    signer_id: str
    signer_role: str
    entry_hash: str
    prev_hash: str | None = None
    envelope_json: str = Field(sa_type=Text)
    signature: str
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CouncilAlert(AppModel, table=True):
    """Something the council must look at; `business_key` makes raising it idempotent.

    `subject_id` names what the alert is about: an escrow id (an escrow's bank account
    for a refused deposit), a case id (CASE-...), or for a complaint spike the category
    or business it counts. What it says is stored as `code` (domain/alert_codes.py AlertCode) plus
    `params_json`, so each reader's language renders it (web/server_text.py); an alert stored
    before the codes is `legacy` with its English sentence as the `text` parameter.
    """

    __tablename__ = "council_alert"

    id: int | None = Field(default=None, primary_key=True)
    subject_id: str = Field(index=True)
    kind: str
    code: str
    params_json: str = Field(sa_type=Text)
    business_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class IdSequence(AppModel, table=True):
    """Last number handed out per (prefix, year), for ids like ESC-2026-00042."""

    __tablename__ = "id_sequence"

    prefix: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last_value: int = Field(sa_type=BigInteger)


# ------------------------------------------------------------ expert registry
# The council's experts (db/experts.py reads and writes them). Specialties are a
# child table rather than JSON text so "who knows plumbing" is an exact, indexed
# match on both backends; the pure model (expert_panels.registry) validates every
# row before it is written, and the checks repeat what a draw relies on.


class ExpertRecord(AppModel, table=True):
    """One registry entry; `party_id` links the party (role expert) that signs for it."""

    __tablename__ = "expert"
    __table_args__ = (CheckConstraint("open_cases >= 0", name="open_cases_non_negative"),)

    expert_id: str = Field(primary_key=True)
    party_id: str | None = Field(default=None, foreign_key="party.id", unique=True)
    name: str
    domain: str = Field(index=True)
    open_cases: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ExpertSpecialtyRecord(AppModel, table=True):
    """One specialty of one expert, from its domain's fixed set."""

    __tablename__ = "expert_specialty"

    expert_id: str = Field(foreign_key="expert.expert_id", primary_key=True)
    specialty: str = Field(primary_key=True)


class ExpertAffiliationRecord(AppModel, table=True):
    """A dated employment or paid engagement; `end_date` None means it still holds."""

    __tablename__ = "expert_affiliation"
    __table_args__ = (
        CheckConstraint("kind IN ('employed', 'paid')", name="kind"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    expert_id: str = Field(foreign_key="expert.expert_id", index=True)
    org_id: str = Field(index=True)
    kind: str
    start_date: date
    end_date: date | None = None


class PanelSeatRecord(AppModel, table=True):
    """An expert's seat on a case's panel; the active seats are the expert's open cases."""

    __tablename__ = "panel_seat"

    case_id: str = Field(primary_key=True)
    expert_id: str = Field(primary_key=True, foreign_key="expert.expert_id", index=True)
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class InspectorAccreditationRecord(AppModel, table=True):
    """One accreditation of an inspector party (expert_panels.inspectors), kept by the council.

    `current_party_id` is the party's id while the accreditation is not deactivated and
    null after: its unique constraint lets a party hold at most one standing
    accreditation, however many deactivated ones it has, on every backend.
    """

    __tablename__ = "inspector_accreditation"
    __table_args__ = (CheckConstraint("valid_until >= valid_from", name="dates_in_order"),)

    accreditation_id: str = Field(primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    current_party_id: str | None = Field(default=None, unique=True)
    specialties_json: str = Field(sa_type=Text)
    affiliations_json: str = Field(sa_type=Text)
    valid_from: date
    valid_until: date
    deactivation_reason: str | None = Field(default=None, sa_type=Text)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CouncilDelegation(AppModel, table=True):
    """The council's delegation of business verification to a housing association's account.

    `current_delegate_id` is the delegate's id while the delegation is in force and null once
    revoked: its unique constraint lets an association hold one delegation in force at a time,
    however many revoked ones it has. Revoked delegations stay, with who revoked them and why.
    """

    __tablename__ = "council_delegation"

    id: str = Field(primary_key=True)
    delegate_id: str = Field(foreign_key="party.id", index=True)
    current_delegate_id: str | None = Field(default=None, unique=True)
    granted_by: str
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    note: str = Field(sa_type=Text)
    revoked_by: str | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revocation_reason: str | None = Field(default=None, sa_type=Text)


# ------------------------------------------------------------- public record
class ProjectionMilestone(AppModel, table=True):
    """The first moment, on the workflow's clock, a projection saw something happen.

    Keys like `stage-2:release`, `dispute-1:closed` or `concluded`; the first write wins,
    so a retried projection never moves a date.
    """

    __tablename__ = "projection_milestone"

    subject_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PublishedList(AppModel, table=True):
    """One quarter's list as published: a frozen document, served until `expires_at`."""

    __tablename__ = "published_list"
    __table_args__ = (CheckConstraint("expires_at > published_at", name="expires_after"),)

    quarter: str = Field(primary_key=True)
    published_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    document_json: str = Field(sa_type=Text)


class PublishedNotice(AppModel, table=True):
    """One district's printable notice of a published list (an A4 PDF for community boards),
    made from the frozen document by `escrow publish` and, like it, never changed."""

    __tablename__ = "published_notice"

    quarter: str = Field(primary_key=True, foreign_key="published_list.quarter")
    district: str = Field(primary_key=True)  # the GB/T 2260 division code of the businesses' licences
    made_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    pdf: bytes = Field(sa_type=LargeBinary, nullable=False)


class RequestRecord(AppModel, table=True):
    """The first answer to a create asked with a business key, so asking again gets it back.

    A create whose answer was lost is asked again; without this a second escrow or
    case would be made. The row is written (and committed) before the workflow is
    started, and holds the workflow's exact input, so a repeat after a failed start
    starts that very workflow rather than answering with one that never ran.
    """

    __tablename__ = "request_record"

    scope: str = Field(primary_key=True)  # which create, e.g. "escrow.create"
    party_id: str = Field(primary_key=True)  # keys are the caller's own: two parties never collide
    key: str = Field(primary_key=True)
    request_hash: str  # the request's content hash: the same key with another request is refused
    answer_json: str = Field(sa_type=Text)
    workflow_input_json: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# ------------------------------------------------------------------ evidence
class EvidenceFile(AppModel, table=True):
    """A file in the evidence store (evidence/), addressed by the SHA-256 of its bytes.

    `has_public_copy`: the original carried location metadata, so everyone but its uploader
    is served a copy without it (`public/...`). `last_named_at`: when a signed step last named
    the file at the API; with the references, it keeps the sweep off a file a step is being
    signed with.
    """

    __tablename__ = "evidence_file"
    __table_args__ = (
        CheckConstraint("kind IN ('photo', 'video', 'document')", name="kind"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    digest: str = Field(primary_key=True)
    size_bytes: int = Field(sa_type=BigInteger)
    media_type: str
    kind: str
    uploaded_by: str = Field(foreign_key="party.id", index=True)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    original_name: str | None = None
    has_public_copy: bool = False
    last_named_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EvidenceRef(AppModel, table=True):
    """A signed trail entry of an escrow or case naming a file: who may read the file follows
    from who may read that escrow or case (api/evidence_access.py).

    Not a foreign key to `evidence_file`: the projection records what was signed whatever the
    store holds, so a projection never stalls on a file.
    """

    __tablename__ = "evidence_ref"

    digest: str = Field(primary_key=True)
    subject_id: str = Field(primary_key=True, index=True)
    seq: int = Field(primary_key=True)
    action: str
    signer_id: str
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookEndpoint(AppModel, table=True):
    """An HTTPS URL a party registered to receive its events (docs/WEBHOOKS.md).

    The signing secret is kept whole, since every attempt is signed with it, and answered
    once, at registration. A deleted endpoint keeps its row (its delivery log stays readable)
    and gets nothing more.
    """

    __tablename__ = "webhook_endpoint"

    id: str = Field(primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    url: str = Field(sa_type=Text)
    secret: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookDelivery(AppModel, table=True):
    """One event for one endpoint, and how its attempts went: the endpoint's delivery log.

    Unique by (endpoint, event): the same event enqueued again is the same delivery. `body`
    is the exact JSON sent on every attempt. `runs` counts the workflows that delivered it:
    1, plus one per replay by its owner.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        UniqueConstraint("endpoint_id", "event_id"),
    )

    id: str = Field(primary_key=True)
    endpoint_id: str = Field(foreign_key="webhook_endpoint.id", index=True)
    event_id: str
    kind: str
    body: str = Field(sa_type=Text)
    status: str = "pending"
    attempts: int = 0
    runs: int = 1
    http_status: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ------------------------------------------------------------ notifications
# Channels, preferences, the inbox and its deliveries (db/notifications.py; docs/NOTIFICATIONS.md).


class ContactChannel(AppModel, table=True):
    """One way to reach a party: an email, a +86 mobile or a chat bot's apprise URL (a secret).

    Used only once `verified_at` is set, by the 6-digit code sent over it: only its SHA-256 is
    kept (`code_hash`), with its expiry and the wrong guesses spent on it (`attempts`)."""

    __tablename__ = "contact_channel"
    __table_args__ = (
        CheckConstraint("kind IN ('email', 'sms', 'chat')", name="kind"),
        UniqueConstraint("party_id", "kind", "address"),
    )

    id: str = Field(primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    kind: str
    address: str = Field(sa_type=Text)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    code_hash: str | None = None
    code_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ContactPreference(AppModel, table=True):
    """A party's language for messages, the kinds it muted (JSON list) and whether quiet hours hold."""

    __tablename__ = "contact_preference"
    __table_args__ = (CheckConstraint("language IN ('zh-CN', 'en')", name="language"),)

    party_id: str = Field(primary_key=True, foreign_key="party.id")
    language: str = "zh-CN"
    muted_json: str = Field(default="[]", sa_type=Text)
    quiet_hours: bool = True


class Notification(AppModel, table=True):
    """One message in a party's inbox, stored as kind + params so each reader's language renders it;
    (party_id, event_key) unique: an event lands once however often it is told."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("party_id", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    kind: str
    subject_id: str | None = None
    event_key: str
    params_json: str = Field(sa_type=Text)
    link: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(AppModel, table=True):
    """One notification sent over one channel, recorded (pending) before it is sent: its
    `idempotency_key` (party, event, channel) is unique, so a retried activity finds it. It is
    `sending` while its provider is called (`attempts` counts the calls begun), then `sent`,
    `pending` again for a retry, or `failed`; `unknown` when the activity died mid-call."""

    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'unknown')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel_id: str = Field(foreign_key="contact_channel.id", index=True)
    idempotency_key: str = Field(unique=True)
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class KeyRecoveryRecord(AppModel, table=True):
    """A party's request to bind a new key after losing every key, and what the council did with it
    (db/key_recovery.py, docs/RECOVERY.md): the identity check, the two signatures, the waiting
    period and its end.

    The identity document's number is kept only as `document_hash`, an HMAC-SHA256 under
    ESCROW_ID_NUMBER_SECRET: the same document gives the same hash (a later check can tell it was
    the same one), and the table alone gives no number back.
    """

    __tablename__ = "key_recovery"

    id: str = Field(primary_key=True)  # KR-..., what the person reads out at the council's desk
    party_id: str = Field(foreign_key="party.id", index=True)
    public_key: str  # the new device's key
    label: str
    pairing: str = Field(sa_type=Text)  # the new key's signed `key.pair`, canonical JSON
    state: str = Field(index=True)  # requested | checked | approved | waiting | cancelled | done | failed
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    document_kind: str | None = None
    document_hash: str | None = None
    photo_matched: bool | None = None
    name_matched: bool | None = None
    check_notes: str | None = Field(default=None, sa_type=Text)
    checked_by: str | None = None
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approval: str | None = Field(default=None, sa_type=Text)  # the first member's `key.recover.approve`
    approved_by: str | None = None
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    binding: str | None = Field(default=None, sa_type=Text)  # the second member's `key.recover`
    bound_by: str | None = None
    effective_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_by_key: str | None = None  # the surviving key that cancelled it
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failure: str | None = None  # why a recovery due could not be applied (a refusal's code)


class KeyPairing(AppModel, table=True):
    """A device being added to a party by a short code (api/routes/keys.py, db/pairings.py).

    A signed-in device opens it and shows the code; the new device, not signed in, answers it
    with its key's signed `key.pair` (stored here, `possession`, canonical JSON of the envelope
    and signature); a device of the party then confirms by signing `key.add`, recorded as a
    key event (db/keys.py). Only the code's SHA-256 is kept (`code_hash`); the row's id is
    itself a secret, answered only to whoever gave the code, so the new device can follow the
    pairing by it without signing in.
    """

    __tablename__ = "key_pairing"

    id: str = Field(primary_key=True)
    party_id: str = Field(foreign_key="party.id", index=True)
    code_hash: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    wrong_guesses: int = 0
    public_key: str | None = None
    label: str | None = None
    possession: str | None = Field(default=None, sa_type=Text)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -------------------------------------------------------------- consumer warnings
class ConsumerWarning(AppModel, table=True):
    """A public consumer warning (消费预警, docs/PUBLIC_RECORD.md): drafted by a council member,
    public only once two different members signed its publication, withdrawn by two signatures.
    A draft the council decides against is `discarded` by one member, with who, when and why: the
    row stays (nothing is lost) and can no longer be published.

    The words are frozen at drafting: members sign a digest of them (`content_hash`), so what
    is published is what both read. `spike_json` holds the complaint figures it came from, as
    the rule computed them when it was drafted (null for a warning drafted by hand);
    `business_ids` (JSON list) names only verified businesses, and only when the council chose to.
    """

    __tablename__ = "consumer_warning"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'published', 'withdrawn', 'discarded')", name="state"),
    )

    id: str = Field(primary_key=True)
    state: str = Field(default="draft", index=True)
    title_zh: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    text_zh: str = Field(sa_type=Text)
    text_en: str = Field(sa_type=Text)
    category: str
    business_ids: str = Field(default="[]", sa_type=Text)
    valid_from: date
    valid_until: date
    spike_json: str | None = Field(default=None, sa_type=Text)
    content_hash: str
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawal_reason: str | None = Field(default=None, sa_type=Text)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    discarded_by: str | None = None
    discarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    discard_reason: str | None = Field(default=None, sa_type=Text)


class WarningSignature(AppModel, table=True):
    """One council member's signed `warning.publish` or `warning.withdraw` of a warning: the
    unique constraint is the rule that a member signs each once, so two rows are two members."""

    __tablename__ = "warning_signature"
    __table_args__ = (
        CheckConstraint("purpose IN ('publish', 'withdraw')", name="purpose"),
        UniqueConstraint("warning_id", "purpose", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    warning_id: str = Field(foreign_key="consumer_warning.id", index=True)
    purpose: str
    member_id: str
    envelope: str = Field(sa_type=Text)
    signature: str
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
