"""What every process that accepts signed steps shares: checks, trail, alerts, version.

A step is planned in two halves: `plan()` runs every check (envelope, subject,
signer and key, role, nonce, timestamp, then the process's own rules) and
returns a commit closure, so an update validator, which must not mutate, and
the update handler share one code path and a refused step is never half applied.
Accepted steps form a hash chain that starts from the hash of the process's
terms, so the trail can be verified offline.

A signature is checked against the keys the signer holds when the step is applied: each party
has a `KeyRing` (domain/keys.py) grown from the root key the process names for it (the terms,
the council list, an expert's seat). A step comes with the signer's key events; those the
process has not applied yet are planned on a copy of the ring before the step itself, and on
commit they enter the trail, each as its own entry just before the step's, so the trail
replays the same keys offline (domain/audit.py). A key revoked later leaves every step it
signed before verifiable, and signs nothing after.
"""

from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.alert_codes import AlertCode, AlertParams, kind_of
from domain.canonical import canonical_json, sha256_hex
from domain.keys import KEY_EVENTS, KEY_RECOVER, KeyChange, KeyRing, recovery_signers
from domain.open_actions import Stamp
from domain.roles import Role
from domain.steps.rejections import conflict, duplicate, forbidden, invalid
from domain.steps.signing import EnvelopeError, SignedStep, parse_envelope
from domain.steps.spec import Bound, StepSpec, dispatch

Commit = Callable[[], str]
# A process does not know when a party registered: its rings start from this moment, which no
# check reads (only a recovery's waiting period reads time, and from the recovery's own stamp).
ROOT_AT = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Alert:
    """Something the council is told, as a code and parameters (domain/alert_codes.py): the words
    are the reader's language's. An alert carried from before the codes reads as `LEGACY`."""

    kind: str
    business_key: str
    at: Stamp
    code: AlertCode = AlertCode.LEGACY
    params: AlertParams = field(default_factory=dict)


@dataclass
class AuditEntry:
    seq: int
    action: str
    signer: str
    signer_role: str
    envelope: dict[str, Any]
    signature: str
    prev_hash: str
    entry_hash: str


def trail_entry_hash(seq: int, prev_hash: str, step: SignedStep) -> str:
    return sha256_hex(
        canonical_json(
            {"seq": seq, "prev_hash": prev_hash, "envelope": step.envelope, "signature": step.signature}
        )
    )


@dataclass(kw_only=True)
class StepsCarry:
    """What every signed-step process carries when its workflow continues as new: the part of its
    state the base machine keeps. The escrow's `WarrantyCarry` and the fund's `FundCarry` extend it
    with their own (domain/escrow/carry.py says why each part is carried and why the trail and the
    nonces only in part); it is flat, one dataclass deriving from this one, so a carry recorded
    before this part was factored out reads the same.

    `council_keys`: the council as the process learned it, members who joined after it started
    included. `carried_at`: when the carry was made, so a run that continues again soon after knows
    whether the nonces it was handed may still guard anything. Both empty in a carry recorded
    before they were (an escrow's warranty run: its first run's council list came as its input).
    """

    version: int  # the read model accepts only newer versions: the count goes on
    alerts: list[Alert]  # few, and shown in the snapshot
    trail_head: str
    trail_length: int
    recent_nonces: list[str]  # of the steps still inside the timestamp skew window
    rings: dict[str, KeyRing]  # by party id: each party's keys as the process learned them
    council_keys: dict[str, str] = field(default_factory=dict)
    carried_at: Stamp | None = None


@dataclass(frozen=True)
class _Learned:
    ring: KeyRing  # the party's ring with the new events applied (a copy until committed)
    changes: list[tuple[SignedStep, KeyChange]]  # each newly applied event and what it did
    commit: Callable[[], None]


class SignedStepMachine:
    """Base of the escrow and case machines. Subclasses set `rules` (from their step
    declarations) and `subject_kind`, bind each declared step to its handler in
    `_handlers()`, and define `_signer(party_id)` (the party's role and root key) and
    `_advance(now)`."""

    rules: dict[str, StepSpec[Any]] = {}
    subject_kind = "process"

    def __init__(
        self, subject_id: str, genesis_hash: str, max_skew: timedelta, council_keys: dict[str, str]
    ) -> None:
        self.subject_id = subject_id
        self.council_keys = dict(council_keys)
        # the keys of each party whose key events the process learned (the others hold their root)
        self.rings: dict[str, KeyRing] = {}
        self._planning: KeyRing | None = None  # the signer's ring while its step is planned
        self._councils_now: dict[str, str] = {}  # the council as the API sent it, while a step is planned
        self.genesis_hash = genesis_hash
        self.max_skew = max_skew
        self.alerts: list[Alert] = []
        self.trail: list[AuditEntry] = []
        # where this run's trail continues from: the genesis, or the head and length of the
        # entries an earlier run of the workflow accepted (it keeps only this run's entries)
        self.trail_start_head = genesis_hash
        self.trail_start = 0
        self.nonces: set[str] = set()
        # the nonces an earlier run handed over, and when (StepsCarry): passed on while they may guard
        self.carried_nonces: list[str] = []
        self.carried_at: datetime | None = None
        self.version = 0

    def plan(
        self,
        step: SignedStep,
        now: datetime,
        keys: Sequence[SignedStep] = (),
        councils: Mapping[str, str] | None = None,
    ) -> Commit:
        """Check a signed step completely, against the signer's keys once its key events `keys`
        (all of them, in order: those applied already are skipped) are applied; return the commit
        that applies the events and the step. `councils`: the council as the API knows it now (see
        `_learn` and `council_key`)."""
        self._councils_now = dict(councils or {})
        try:
            return self._plan(step, now, keys, councils)
        finally:
            self._councils_now = {}

    def _plan(
        self,
        step: SignedStep,
        now: datetime,
        keys: Sequence[SignedStep],
        councils: Mapping[str, str] | None,
    ) -> Commit:
        try:
            envelope = parse_envelope(step.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_envelope", str(exc)) from exc
        spec = self.rules.get(envelope.action)
        if spec is None:
            raise invalid("unknown_action", f"'{envelope.action}' is not a {self.subject_kind} step")
        if envelope.subject != self.subject_id:
            raise forbidden("wrong_subject", f"this envelope was signed for another {self.subject_kind}")
        role, root = self._signer(envelope.signer)
        learned = self._learn(envelope.signer, role, root, keys, now, councils)
        if learned.ring.signing_key(step) is None:
            raise forbidden("bad_signature", "the signature does not match the envelope and key")
        if role not in spec.roles:
            raise forbidden("wrong_role", f"a {role} may not sign '{envelope.action}'")
        if envelope.nonce in self.nonces:
            raise conflict("nonce_reused", "this nonce was already used: the step is a replay")
        if abs(envelope.timestamp - now) > self.max_skew:
            raise conflict("stale_timestamp", "the envelope's timestamp is too far from now")
        handler = self.dispatch()[envelope.action]
        self._planning = learned.ring  # for `holds_key`, while the handler checks the payload
        try:
            apply = handler.plan(envelope.payload, self._acting_as(role, envelope.signer), now)
        finally:
            self._planning = None

        joined = self._councils_now.get(envelope.signer) if role == Role.COUNCIL else None

        def commit() -> str:
            self.nonces.add(envelope.nonce)
            if joined is not None:  # a member who joined after the process started: remembered
                self.council_keys.setdefault(envelope.signer, joined)
            learned.commit()
            entry = self._append_trail(step, envelope.action, envelope.signer, role)
            apply()
            self._advance(now)
            self._after_change()
            return entry.entry_hash

        return commit

    def plan_keys(
        self,
        party_id: str,
        events: Sequence[SignedStep],
        now: datetime,
        councils: Mapping[str, str] | None = None,
    ) -> Commit:
        """Apply a party's key events without a step (a revocation or recovery pushed to every
        process the party is in, activities/key_events.py). Refused when the party has no part
        here, when an event is refused, and when every event was applied already (so a repeated
        push leaves no trace); the commit returns the trail head."""
        role, root = self._signer(party_id)
        learned = self._learn(party_id, role, root, events, now, councils)
        if not learned.changes:
            raise duplicate("keys_known", "the process holds every one of these key events already")

        def commit() -> str:
            learned.commit()
            self._after_change()
            return self.trail_head

        return commit

    def council_key(self, party_id: str) -> str | None:
        """A council member's registration key: from the list the process started with (and the
        members it met since), else from the council as the API knows it now, sent with the step
        being planned. A process outlives many a clerk (an escrow's warranty runs for years, a fund
        as long as its business): a member who joined later signs as one, and once a step of theirs
        is applied the process keeps their key, so its trail names it and verifies offline."""
        return self.council_keys.get(party_id) or self._councils_now.get(party_id)

    def council_now(self) -> dict[str, str]:
        """Every council member's key this step may be checked against (see `council_key`)."""
        return {**self._councils_now, **self.council_keys}

    def holds_key(self, party_id: str, root: str, step: SignedStep) -> bool:
        """Whether `step` (one carried inside a payload, such as a case's escrow step) is signed
        by a key `party_id` holds: its ring as the step being planned leaves it when it signs that
        step too, else as the process holds it (from `root`, the key the process names for it)."""
        planning = self._planning
        if planning is not None and planning.party_id == party_id:
            ring = planning
        else:
            ring = self.rings.get(party_id) or KeyRing.root(party_id, root, ROOT_AT)
        return ring.signing_key(step) is not None

    def _learn(
        self,
        party_id: str,
        role: str,
        root: str,
        events: Sequence[SignedStep],
        now: datetime,
        councils: Mapping[str, str] | None = None,
    ) -> "_Learned":
        """The party's ring (from its root key `root` until the process learned more) with `events`
        planned and applied on a copy, refused as the first refused event is; and the commit that
        makes it the party's and records each new event in the trail.

        A recovery is checked against the council this process knows and `councils`, the council
        as the API knows it now (sent with events that hold a recovery): a member who joined after
        the process started may sign one, and the warranty of a contract outlives many a clerk.
        The two members of a recovery applied join the process's council list, so its trail names
        their keys and `escrow audit --verify` checks their signatures offline."""
        known = {**(councils or {}), **self.council_keys}  # a member's key as the process has it
        held = self.rings.get(party_id)
        ring = KeyRing.root(party_id, root, ROOT_AT) if held is None else held.copy()
        changes: list[tuple[SignedStep, KeyChange]] = []
        for event in events:
            apply = ring.plan(event, known, now)
            if apply is not None:
                changes.append((event, apply()))

        def commit() -> None:
            if not changes:
                return
            self.rings[party_id] = ring
            for event, change in changes:
                if change.action == KEY_RECOVER:
                    for member in recovery_signers(event):
                        self.council_keys.setdefault(member, known[member])
                signer_role = Role.COUNCIL if change.action == KEY_RECOVER else role
                self._append_trail(event, change.action, change.signer, signer_role)

        return _Learned(ring, changes, commit)

    def dispatch(self) -> dict[str, Bound]:
        """Each declared action to its handler (refused if the two do not match one to one)."""
        return dispatch(self.rules, self._handlers())

    def _handlers(self) -> list[Bound]:
        raise NotImplementedError

    def _signer(self, party_id: str) -> tuple[str, str]:
        raise NotImplementedError

    def _acting_as(self, role: str, party_id: str) -> str:
        """What handlers receive as the actor: the role, unless a process needs the party."""
        return role

    def _advance(self, now: datetime) -> None:
        raise NotImplementedError

    def _append_trail(self, step: SignedStep, action: str, signer: str, role: str) -> AuditEntry:
        prev = self.trail_head
        seq = self.trail_length + 1
        entry_hash = trail_entry_hash(seq, prev, step)
        entry = AuditEntry(seq, action, signer, role, step.envelope, step.signature, prev, entry_hash)
        self.trail.append(entry)
        return entry

    def trail_records(self, start: int) -> list[dict[str, Any]]:
        """The entries from the one numbered `start + 1` on, among those this run holds."""
        return [asdict(entry) for entry in self.trail[max(0, start - self.trail_start) :]]

    @property
    def trail_head(self) -> str:
        return self.trail[-1].entry_hash if self.trail else self.trail_start_head

    @property
    def trail_length(self) -> int:
        """Every entry of the process's life, including those an earlier run accepted."""
        return self.trail_start + len(self.trail)

    def _alert(self, code: AlertCode, key: str, now: datetime, **params: object) -> None:
        """Alert the council once per `key`; `params` are kept as strings (AlertParams)."""
        words = {name: str(value) for name, value in params.items()}
        self.alerts.append(Alert(kind_of(code), f"{self.subject_id}:{key}", now, code, words))

    def _after_change(self) -> None:
        self.version += 1

    # ------------------------------------------------------------ next run
    def carried_steps(self, now: datetime) -> StepsCarry:
        """The base machine's part of what the next run starts from (`StepsCarry`)."""
        return StepsCarry(
            version=self.version,
            alerts=deepcopy(self.alerts),
            trail_head=self.trail_head,
            trail_length=self.trail_length,
            recent_nonces=self._replayable_nonces(now),
            rings=deepcopy(self.rings),
            council_keys=dict(self.council_keys),
            carried_at=now,
        )

    def _replayable_nonces(self, now: datetime) -> list[str]:
        """The nonces of the steps an envelope could still be replayed from after `now`: signed no
        earlier than `now - max_skew` (an older one is refused as `stale_timestamp` whatever its
        nonce). An earlier run's, handed over at `carried_at`, were each signed within `max_skew` of
        a moment before it; once `now - max_skew` is past `carried_at + max_skew` none may be."""
        replayable_since = now - self.max_skew
        earlier = self.carried_nonces
        if self.carried_at is not None and self.carried_at + self.max_skew < replayable_since:
            earlier = []
        return earlier + [
            entry.envelope["nonce"]
            for entry in self.trail
            if entry.action not in KEY_EVENTS and parse_envelope(entry.envelope).timestamp >= replayable_since
        ]

    def continue_steps(self, carried: StepsCarry) -> None:
        """Take up the base machine's part of the life an earlier run carried."""
        self.version = carried.version
        self.alerts = deepcopy(carried.alerts)
        self.trail_start_head = carried.trail_head
        self.trail_start = carried.trail_length
        self.nonces = set(carried.recent_nonces)
        self.carried_nonces = list(carried.recent_nonces)
        self.carried_at = carried.carried_at
        self.rings = deepcopy(carried.rings)
        self.council_keys = {**self.council_keys, **carried.council_keys}
