"""What every process that accepts signed steps shares: checks, trail, alerts, version.

A step is planned in two halves: `plan()` runs every check (envelope, subject,
signer and key, role, nonce, timestamp, then the process's own rules) and
returns a commit closure, so an update validator, which must not mutate, and
the update handler share one code path and a refused step is never half applied.
Accepted steps form a hash chain that starts from the hash of the process's
terms, so the trail can be verified offline.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.canonical import canonical_json, sha256_hex
from domain.open_actions import Stamp
from domain.steps.rejections import conflict, forbidden, invalid
from domain.steps.signing import EnvelopeError, SignedStep, parse_envelope, signature_is_valid
from domain.steps.spec import Bound, StepSpec, dispatch

Commit = Callable[[], str]


@dataclass
class Alert:
    kind: str
    message: str
    business_key: str
    at: Stamp


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


class SignedStepMachine:
    """Base of the escrow and case machines. Subclasses set `rules` (from their step
    declarations) and `subject_kind`, bind each declared step to its handler in
    `_handlers()`, and define `_signer(party_id)` and `_advance(now)`."""

    rules: dict[str, StepSpec[Any]] = {}
    subject_kind = "process"

    def __init__(self, subject_id: str, genesis_hash: str, max_skew: timedelta) -> None:
        self.subject_id = subject_id
        self.genesis_hash = genesis_hash
        self.max_skew = max_skew
        self.alerts: list[Alert] = []
        self.trail: list[AuditEntry] = []
        # where this run's trail continues from: the genesis, or the head and length of the
        # entries an earlier run of the workflow accepted (it keeps only this run's entries)
        self.trail_start_head = genesis_hash
        self.trail_start = 0
        self.nonces: set[str] = set()
        self.version = 0

    def plan(self, step: SignedStep, now: datetime) -> Commit:
        """Check a signed step completely; return the commit that applies it."""
        try:
            envelope = parse_envelope(step.envelope)
        except EnvelopeError as exc:
            raise invalid("bad_envelope", str(exc)) from exc
        spec = self.rules.get(envelope.action)
        if spec is None:
            raise invalid("unknown_action", f"'{envelope.action}' is not a {self.subject_kind} step")
        if envelope.subject != self.subject_id:
            raise forbidden("wrong_subject", f"this envelope was signed for another {self.subject_kind}")
        role, public_key = self._signer(envelope.signer)
        if not signature_is_valid(public_key, step):
            raise forbidden("bad_signature", "the signature does not match the envelope and key")
        if role not in spec.roles:
            raise forbidden("wrong_role", f"a {role} may not sign '{envelope.action}'")
        if envelope.nonce in self.nonces:
            raise conflict("nonce_reused", "this nonce was already used: the step is a replay")
        if abs(envelope.timestamp - now) > self.max_skew:
            raise conflict("stale_timestamp", "the envelope's timestamp is too far from now")
        handler = self.dispatch()[envelope.action]
        apply = handler.plan(envelope.payload, self._acting_as(role, envelope.signer), now)

        def commit() -> str:
            self.nonces.add(envelope.nonce)
            entry = self._append_trail(step, envelope.action, envelope.signer, role)
            apply()
            self._advance(now)
            self._after_change()
            return entry.entry_hash

        return commit

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

    def _alert(self, kind: str, message: str, key: str, now: datetime) -> None:
        self.alerts.append(Alert(kind, message, f"{self.subject_id}:{key}", now))

    def _after_change(self) -> None:
        self.version += 1
