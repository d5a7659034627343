"""A party's keys (its devices): which keys sign for it, and the signed events that change them.

A party starts with the key it registered with (its root, `Party.public_key`). Three signed
events change the set; each is an envelope like a step's (domain/steps/signing.py) whose
subject is the party:

- `key.add`: signed by a key the party holds. It names the new key and its label and carries
  the new key's own signed `key.pair` envelope, so a key is added only with a signature of an
  existing key and only when its holder can sign with it (the pairing, api/routes/keys.py).
- `key.revoke`: signed by a key the party holds, naming one of its keys; never the last one.
- `key.recover`: the council's binding of a new key after every key was lost. It is signed by
  one council member and carries another member's signed `key.recover.approve` for the same
  request and key, and the new key's `key.pair`. It revokes every other key, and it takes
  effect only once `waiting_hours` have passed since it was signed (the time the party's
  surviving keys have to cancel a false claim, api/routes/key_recovery.py).

`KeyRing` replays these events from the root. Everything that checks a party's signature (the
escrow and case machines, the API's sign-in, `escrow audit --verify`) replays the same events
with this one code, so all of them agree which keys signed for the party when: a step is
checked against the keys held when it is applied, and a key revoked later leaves the steps it
signed before verifiable. An event is applied once: replaying one already applied (same hash)
changes nothing, so the whole list can be sent again with every step.
"""

import base64
import binascii
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from domain.canonical import canonical_json, sha256_hex
from domain.steps.fields import StepPayload, Text
from domain.steps.payload_errors import read_payload
from domain.steps.rejections import conflict, forbidden, invalid
from domain.steps.signing import Envelope, EnvelopeError, SignedStep, parse_envelope, signature_is_valid

KEY_ADD = "key.add"
KEY_REVOKE = "key.revoke"
KEY_RECOVER = "key.recover"
KEY_EVENTS = frozenset({KEY_ADD, KEY_REVOKE, KEY_RECOVER})
# Signed inside another event, never applied on their own.
KEY_PAIR = "key.pair"  # the new key's proof that its holder can sign with it
KEY_RECOVER_APPROVE = "key.recover.approve"  # the first council member's half of a recovery
# Never applied to a ring: a surviving key's refusal of a recovery during its waiting period.
KEY_RECOVER_CANCEL = "key.recover.cancel"

MAX_LABEL = 60


def _public_key(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError("bad_public_key", "not base64") from None
    if len(raw) != 32:
        raise PydanticCustomError("bad_public_key", "not 32 bytes")
    return value


def _label(value: str) -> str:
    if not value.strip() or len(value) > MAX_LABEL:
        raise PydanticCustomError("bad_label", "a label is 1 to 60 characters")
    return value


PublicKey = Annotated[StrictStr, AfterValidator(_public_key)]
Label = Annotated[StrictStr, AfterValidator(_label), Field(json_schema_extra={"maxLength": MAX_LABEL})]


class NestedStep(StepPayload):
    """A signed envelope carried inside another event's payload."""

    envelope: dict[str, Any]
    signature: StrictStr

    def as_step(self) -> SignedStep:
        return SignedStep(envelope=dict(self.envelope), signature=self.signature)


class KeyPair(StepPayload):
    """What a new device signs with its new key: "this key, under this label, for this party"."""

    public_key: PublicKey
    label: Label


class KeyAdd(StepPayload):
    public_key: PublicKey
    label: Label
    possession: NestedStep  # the new key's `key.pair`


class KeyRevoke(StepPayload):
    public_key: PublicKey


class KeyRecoverApprove(StepPayload):
    public_key: PublicKey
    request: Text  # the recovery request's id
    waiting_hours: Annotated[StrictInt, Field(ge=1)]


class KeyRecover(StepPayload):
    public_key: PublicKey
    label: Label
    request: Text
    waiting_hours: Annotated[StrictInt, Field(ge=1)]
    approval: NestedStep  # another council member's `key.recover.approve`
    possession: NestedStep  # the new key's `key.pair`


def recovery_signers(event: SignedStep) -> tuple[str, str]:
    """The two council members of a `key.recover` the ring accepted: who bound it and who approved
    it (a process that learns the recovery learns these two members' keys with it)."""
    approval = event.envelope["payload"]["approval"]["envelope"]
    return str(event.envelope["signer"]), str(approval["signer"])


def key_id(public_key: str) -> str:
    """A short, stable name for a key, shown beside its label (the first 16 hex digits of the
    SHA-256 of its base64 text)."""
    return "key-" + sha256_hex(public_key.encode())[:16]


FINGERPRINT_DIGITS = 12


def fingerprint(public_key: str) -> str:
    """What both devices show while one is paired, for the person to compare: the first 12 hex
    digits of the key's `key_id`, in groups of four ("3f2a 9c01 77be"). Each device computes
    it from the key it holds or is about to sign for (web/static/pairing.js), never from what
    the server says, so a key swapped on the way shows different digits."""
    digits = key_id(public_key).removeprefix("key-")[:FINGERPRINT_DIGITS]
    return " ".join(digits[start : start + 4] for start in range(0, FINGERPRINT_DIGITS, 4))


def key_event_hash(event: SignedStep) -> str:
    return sha256_hex(canonical_json({"envelope": event.envelope, "signature": event.signature}))


@dataclass
class HeldKey:
    public_key: str
    label: str
    added_at: datetime  # the signed timestamp of the event that added it (the root: registration)
    via: str  # "registration" | key.add | key.recover
    revoked_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class KeyChange:
    """What an applied event did, for trails, notifications and the party's device list."""

    action: str  # key.add | key.revoke | key.recover
    party_id: str
    signer: str  # the party (add, revoke) or the council member who signed (recover)
    public_key: str  # the key added, revoked or bound
    label: str
    revoked: tuple[str, ...]  # every key this event revoked
    event_hash: str
    at: datetime  # the event's signed timestamp


@dataclass
class KeyRing:
    party_id: str
    keys: dict[str, HeldKey]  # by public key, in the order they were added
    applied: set[str] = field(default_factory=set)  # each applied event's hash

    @classmethod
    def root(cls, party_id: str, public_key: str, registered_at: datetime) -> "KeyRing":
        held = HeldKey(public_key, "first device", registered_at, "registration")
        return cls(party_id, {public_key: held})

    def active(self) -> list[HeldKey]:
        return [key for key in self.keys.values() if key.active]

    def signing_key(self, step: SignedStep) -> HeldKey | None:
        """The key the party holds now whose signature `step` carries, if any."""
        return next((key for key in self.active() if signature_is_valid(key.public_key, step)), None)

    def copy(self) -> "KeyRing":
        return copy.deepcopy(self)

    def plan(
        self, event: SignedStep, councils: Mapping[str, str], now: datetime | None
    ) -> Callable[[], KeyChange] | None:
        """Check `event` completely against this ring; return what applies it, or None when it
        was applied already. `councils` maps council members' ids to their keys (a recovery's two
        signatures). `now` is when the event reaches the ring, for a recovery's waiting period;
        None when replaying a trail the process already accepted (the check was made then)."""
        try:
            envelope = parse_envelope(event.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_envelope", str(exc)) from exc
        if envelope.action not in KEY_EVENTS:
            raise invalid("unknown_action", f"'{envelope.action}' is not a key event")
        if envelope.subject != self.party_id:
            raise forbidden("wrong_subject", "this key event was signed for another party")
        event_hash = key_event_hash(event)
        if event_hash in self.applied:
            return None
        if envelope.action == KEY_RECOVER:
            change = self._plan_recover(event, envelope.signer, envelope.payload, councils, now)
        else:
            if envelope.signer != self.party_id or self.signing_key(event) is None:
                raise forbidden("bad_signature", "a key event must be signed by a key the party holds")
            if envelope.action == KEY_ADD:
                change = self._plan_add(envelope.payload)
            else:
                change = self._plan_revoke(envelope.payload)
        at = envelope.timestamp

        def apply() -> KeyChange:
            revoked = change(at)
            self.applied.add(event_hash)
            added = self.keys[change.public_key]
            return KeyChange(
                envelope.action,
                self.party_id,
                envelope.signer,
                added.public_key,
                added.label,
                revoked,
                event_hash,
                at,
            )

        return apply

    def _plan_add(self, raw: dict[str, Any]) -> "_Change":
        payload = read_payload(KeyAdd, raw)
        self._refuse_known(payload.public_key)
        self._check_possession(payload.possession, payload.public_key, payload.label)
        return _Change(
            payload.public_key, lambda at: self._add(payload.public_key, payload.label, at, KEY_ADD)
        )

    def _plan_revoke(self, raw: dict[str, Any]) -> "_Change":
        payload = read_payload(KeyRevoke, raw)
        target = self.keys.get(payload.public_key)
        if target is None or not target.active:
            raise conflict("key_not_held", "the party holds no such key (unknown, or revoked already)")
        if len(self.active()) == 1:
            raise conflict("last_key", "the party's last key cannot be revoked: add another device first")

        def revoke(at: datetime) -> tuple[str, ...]:
            target.revoked_at = at
            return (target.public_key,)

        return _Change(payload.public_key, revoke)

    def _plan_recover(
        self,
        event: SignedStep,
        signer: str,
        raw: dict[str, Any],
        councils: Mapping[str, str],
        now: datetime | None,
    ) -> "_Change":
        if signer not in councils or not signature_is_valid(councils[signer], event):
            raise forbidden("not_council", "a recovery is signed by a council member")
        payload = read_payload(KeyRecover, raw)
        approval = payload.approval.as_step()
        try:
            approved = parse_envelope(approval.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_envelope", f"the approval: {exc}") from exc
        if approved.signer == signer:
            raise forbidden("one_council_member", "a recovery needs two different council members")
        if (
            approved.action != KEY_RECOVER_APPROVE
            or approved.subject != self.party_id
            or approved.signer not in councils
            or not signature_is_valid(councils[approved.signer], approval)
        ):
            raise forbidden("bad_approval", "the approval is not a council member's signed approval")
        terms = read_payload(KeyRecoverApprove, approved.payload)
        if (terms.public_key, terms.request, terms.waiting_hours) != (
            payload.public_key,
            payload.request,
            payload.waiting_hours,
        ):
            raise invalid("approval_mismatch", "the two council members approved different recoveries")
        self._refuse_known(payload.public_key)
        self._check_possession(payload.possession, payload.public_key, payload.label)
        signed_at = parse_envelope(event.envelope).timestamp
        if now is not None and now < signed_at + timedelta(hours=payload.waiting_hours):
            raise conflict("recovery_waiting", "the recovery's waiting period has not passed")

        def recover(at: datetime) -> tuple[str, ...]:
            revoked = tuple(key.public_key for key in self.active())
            for key in self.active():
                key.revoked_at = at
            self._add(payload.public_key, payload.label, at, KEY_RECOVER)
            return revoked

        return _Change(payload.public_key, recover)

    def _refuse_known(self, public_key: str) -> None:
        if public_key in self.keys:
            raise conflict("key_known", "this key is, or was, one of the party's keys")

    def _check_possession(self, possession: NestedStep, public_key: str, label: str) -> None:
        proof = possession.as_step()
        try:
            envelope = parse_envelope(proof.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_envelope", f"the new key's proof: {exc}") from exc
        if (
            envelope.action != KEY_PAIR
            or envelope.subject != self.party_id
            or envelope.signer != self.party_id
            or envelope.payload != {"public_key": public_key, "label": label}
            or not signature_is_valid(public_key, proof)
        ):
            raise forbidden("no_possession", "the new key's own signed key.pair must come with it")

    def _add(self, public_key: str, label: str, at: datetime, via: str) -> tuple[str, ...]:
        self.keys[public_key] = HeldKey(public_key, label, at, via)
        return ()


@dataclass(frozen=True)
class _Change:
    """A planned event: the key it is about, and what applying it does (returns what it revoked)."""

    public_key: str
    apply: Callable[[datetime], tuple[str, ...]]

    def __call__(self, at: datetime) -> tuple[str, ...]:
        return self.apply(at)


@dataclass(frozen=True)
class RecoveryTerms:
    """A recovery as its two council signatures bind it (`check_recovery`)."""

    public_key: str
    label: str
    request: str
    waiting_hours: int
    approver: str  # the council member who signed `key.recover.approve`
    signer: str  # the other member, who signed `key.recover`
    signed_at: datetime

    @property
    def effective_at(self) -> datetime:
        """When the recovery may be applied: its waiting period after the second signature."""
        return self.signed_at + timedelta(hours=self.waiting_hours)


def _envelope_for(event: SignedStep, action: str) -> Envelope:
    try:
        envelope = parse_envelope(event.envelope)
    except EnvelopeError as exc:
        raise invalid("bad_envelope", str(exc)) from exc
    if envelope.action != action:
        raise invalid("unknown_action", f"this takes a '{action}' envelope")
    return envelope


def check_approval(event: SignedStep, party_id: str, councils: Mapping[str, str]) -> KeyRecoverApprove:
    """The first council member's `key.recover.approve` for `party_id`, checked on its own (before
    a second member signs over it): a council member's signature and the terms' shape."""
    envelope = _envelope_for(event, KEY_RECOVER_APPROVE)
    if envelope.subject != party_id:
        raise forbidden("wrong_subject", "this approval was signed for another party")
    if envelope.signer not in councils or not signature_is_valid(councils[envelope.signer], event):
        raise forbidden("not_council", "a recovery is approved by a council member")
    return read_payload(KeyRecoverApprove, envelope.payload)


def check_recovery(ring: KeyRing, event: SignedStep, councils: Mapping[str, str]) -> RecoveryTerms:
    """Every rule `KeyRing.plan` holds a `key.recover` to but its waiting period, on a copy of
    `ring` (nothing changes): what the API checks when the second member signs, days before the
    event can be applied. Planning without a `now` skips only the wait; the event is refused
    as `key_known` once applied (its key is then the party's)."""
    envelope = _envelope_for(event, KEY_RECOVER)
    if ring.copy().plan(event, councils, None) is None:
        raise conflict("key_known", "this recovery was applied already")
    payload = read_payload(KeyRecover, envelope.payload)
    approver = parse_envelope(payload.approval.envelope).signer
    return RecoveryTerms(
        payload.public_key,
        payload.label,
        payload.request,
        payload.waiting_hours,
        approver,
        envelope.signer,
        envelope.timestamp,
    )


def replay(
    party_id: str, root: str, registered_at: datetime, events: list[SignedStep], councils: Mapping[str, str]
) -> KeyRing:
    """The ring after `events`, in order, from the root: how the API rebuilds a party's keys from
    the events it stored (each was checked, waiting period included, when it was recorded)."""
    ring = KeyRing.root(party_id, root, registered_at)
    for event in events:
        planned = ring.plan(event, councils, None)
        if planned is not None:
            planned()
    return ring
