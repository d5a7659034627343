"""Offline verification of an exported trail of signed steps: an escrow's or a fund's.

The trail starts from the hash of the signed contract terms; each entry hashes
its sequence number, the previous hash, the envelope and its signature, so
changing, dropping or reordering any step breaks every hash after it. Each
signature is checked against the keys its signer held at that point of the trail,
and the signer's role must be the one recorded: every party starts from the key the
terms (or the council list) name for it, and the key events in the trail (`key.add`,
`key.revoke`, `key.recover`, each an entry of its own before the step that first
needed it) are replayed with the same `KeyRing` the escrow used (domain/keys.py).
So a step signed by a second device verifies, a key revoked later leaves the steps
it signed before verifiable, and a key event whose signature fails is reported.

The files the steps name (evidence, by the SHA-256 of their bytes) are not in the trail; given
them, `escrow audit --files` checks that each one the trail names is there and unchanged
(`files_named_by_trail`, cli/audit.py).

What a trail is of, it says by its subject's id key, as the process's machine exported it
(`export_trail`): `escrow_id` for an escrow's (the format it always had), `fund_id` for a
compensation fund's (docs/ADVANCE_COMPENSATION.md, "Audit"). That key chooses the `TrailKind`:
which parties the terms name as signers (an escrow's owner, contractor and inspector; a fund's
`business`, in its `business_role`), which steps each role may sign, and the id the terms and
every step's envelope must name. Everything else, the chain, the council's keys, the key events,
is one check for both.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from domain.canonical import content_hash
from domain.case.steps import CASE_RULES, ClaimFile
from domain.escrow.steps import ESCROW_RULES
from domain.fund.steps import FUND_RULES
from domain.keys import KEY_EVENTS, KEY_RECOVER, KeyRing
from domain.roles import Role
from domain.steps.files import files_in_raw
from domain.steps.machine import ROOT_AT, SignedStepMachine, trail_entry_hash
from domain.steps.rejections import StepRejected
from domain.steps.signing import SignedStep
from domain.steps.spec import StepSpec

# Every signed payload's model by its action: the escrow's, the case's and the fund's steps (their
# names do not overlap) and the claim that files a case.
PAYLOAD_MODELS: dict[str, type[BaseModel]] = {
    **{action: spec.payload for action, spec in ESCROW_RULES.items()},
    **{action: spec.payload for action, spec in CASE_RULES.items()},
    **{action: spec.payload for action, spec in FUND_RULES.items()},
    "claim.file": ClaimFile,
}

Signers = dict[str, tuple[str, str]]  # party id -> (role, the key the terms name for it)


def _escrow_signers(terms: dict[str, Any]) -> Signers:
    return {
        terms[role]["party_id"]: (role, terms[role]["public_key"])
        for role in (Role.OWNER, Role.CONTRACTOR, Role.INSPECTOR)
    }


def _fund_signers(terms: dict[str, Any]) -> Signers:
    business = terms["business"]
    return {business["party_id"]: (terms["business_role"], business["public_key"])}


@dataclass(frozen=True)
class TrailKind:
    """What differs between an escrow's trail and a fund's: the rest is checked alike."""

    noun: str  # the process's `subject_kind`: escrow | fund
    rules: Mapping[str, StepSpec[Any]]  # which role may sign each step
    terms_signers: Callable[[dict[str, Any]], Signers]  # the parties the terms name, council aside

    @property
    def id_key(self) -> str:
        """The key holding the subject's id, in the trail and in its terms."""
        return f"{self.noun}_id"


TRAIL_KINDS = {
    kind.noun: kind
    for kind in (
        TrailKind("escrow", ESCROW_RULES, _escrow_signers),
        TrailKind("fund", FUND_RULES, _fund_signers),
    )
}


def trail_kind(trail: Any) -> TrailKind | None:
    """The kind whose id key the trail holds; None for a file that is no trail of ours (not even
    a JSON object: the file is read as whatever JSON it holds)."""
    if not isinstance(trail, dict):
        return None
    return next((kind for kind in TRAIL_KINDS.values() if kind.id_key in trail), None)


def trail_subject(trail: Any) -> str:
    """The id of the escrow or fund the trail is of, '?' when it names none (for titles)."""
    kind = trail_kind(trail)
    return "?" if kind is None else str(trail[kind.id_key])


def _signer_keys(kind: TrailKind, trail: dict[str, Any]) -> Signers:
    keys = kind.terms_signers(trail["terms"])
    for party_id, public_key in trail.get("council_keys", {}).items():
        keys[party_id] = (Role.COUNCIL, public_key)
    return keys


EARLIER_ENTRIES = "earlier_entries"


def export_trail(machine: SignedStepMachine, terms: dict[str, Any]) -> dict[str, Any]:
    """A process's trail as exported (the workflow's `audit_trail` query) and verified here: its
    id under its kind's key, the terms document (`terms`, hashing to the genesis), the council's
    keys as the process learned them, this run's entries, and how many came before it (kept in
    the audit log since the process continued as new: `whole_trail`)."""
    return {
        TRAIL_KINDS[machine.subject_kind].id_key: machine.subject_id,
        "terms": terms,
        "terms_hash": machine.genesis_hash,
        "council_keys": dict(machine.council_keys),
        "entries": machine.trail_records(0),
        EARLIER_ENTRIES: machine.trail_start,
    }


def whole_trail(trail: dict[str, Any], stored: list[dict[str, Any]]) -> dict[str, Any]:
    """The trail of the whole life, from the workflow's export and the audit log.

    An escrow that continued as new into its warranty, or a fund into its next run, holds only
    that run's entries and says how many came before (`earlier_entries`); those are read from the
    audit log, which every projection filled (the switch waited for it). The chain is not trusted
    for being joined: `verify_trail` checks it end to end, so a missing or altered earlier entry
    fails there.
    """
    earlier = trail.get(EARLIER_ENTRIES, 0)
    whole = {key: value for key, value in trail.items() if key != EARLIER_ENTRIES}
    whole["entries"] = [entry for entry in stored if entry["seq"] <= earlier] + list(trail["entries"])
    return whole


def verify_trail(trail: dict[str, Any]) -> list[str]:
    """Every problem found, in trail order; an empty list means the trail is intact."""
    kind = trail_kind(trail)
    if kind is None:
        return ["the file is not a trail of signed steps: it names no escrow_id nor fund_id"]
    try:
        return _problems(kind, trail)
    except (KeyError, TypeError, AttributeError) as exc:
        return [f"the file is not a whole {kind.noun} trail: missing or malformed {exc}"]


def _problems(kind: TrailKind, trail: dict[str, Any]) -> list[str]:
    problems = []
    subject = trail[kind.id_key]
    terms_hash = content_hash(trail["terms"])
    if terms_hash != trail["terms_hash"]:
        problems.append("the terms do not hash to the recorded terms_hash")
    if trail["terms"][kind.id_key] != subject:
        problems.append(f"the terms belong to another {kind.noun}")
    replay = _KeysReplay(kind.rules, _signer_keys(kind, trail), dict(trail.get("council_keys", {})))
    previous = terms_hash
    for expected_seq, entry in enumerate(trail["entries"], start=1):
        where = f"entry {expected_seq} ({entry.get('action')})"
        step = SignedStep(envelope=entry["envelope"], signature=entry["signature"])
        if entry["seq"] != expected_seq:
            problems.append(f"{where}: out of sequence (seq {entry['seq']})")
        if entry["prev_hash"] != previous:
            problems.append(f"{where}: does not link to the entry before it")
        if trail_entry_hash(entry["seq"], entry["prev_hash"], step) != entry["entry_hash"]:
            problems.append(f"{where}: its content does not match its hash")
        envelope = entry["envelope"]
        if envelope.get("action") in KEY_EVENTS:
            problems += replay.key_event_problems(where, entry, step)
        else:
            problems += replay.step_problems(where, entry, step)
            if envelope.get("subject") != subject:
                problems.append(f"{where}: the envelope is for another {kind.noun}")
        if envelope.get("action") != entry["action"]:
            problems.append(f"{where}: the envelope is for another action")
        previous = entry["entry_hash"]
    return problems


@dataclass
class _KeysReplay:
    """Each party's keys along the trail: from its key in the terms or the council list, with
    the trail's key entries applied in order."""

    rules: Mapping[str, StepSpec[Any]]  # the trail kind's: which role may sign each step
    keys: Signers  # the terms' parties and the council list
    councils: dict[str, str]
    rings: dict[str, KeyRing] = field(default_factory=dict)

    def ring(self, party: str) -> KeyRing:
        if party not in self.rings:
            self.rings[party] = KeyRing.root(party, self.keys[party][1], ROOT_AT)
        return self.rings[party]

    def step_problems(self, where: str, entry: dict[str, Any], step: SignedStep) -> list[str]:
        signer = step.envelope.get("signer")
        if signer not in self.keys:
            return [f"{where}: signed by someone who is not a party"]
        problems = []
        role, _ = self.keys[signer]
        if self.ring(signer).signing_key(step) is None:
            problems.append(f"{where}: the signature does not verify with the keys the signer held")
        rule = self.rules.get(str(step.envelope.get("action")))
        if rule is None or role not in rule.roles or role != entry["signer_role"]:
            problems.append(f"{where}: a {role} may not sign {step.envelope.get('action')}")
        return problems

    def key_event_problems(self, where: str, entry: dict[str, Any], event: SignedStep) -> list[str]:
        """The event applied to its party's ring with `now=None`: the process checked a recovery's
        waiting period when it accepted it."""
        party = event.envelope.get("subject")
        if party not in self.keys:
            return [f"{where}: a key event of someone who is not a party"]
        role = Role.COUNCIL if entry["action"] == KEY_RECOVER else self.keys[party][0]
        problems = []
        if entry["signer_role"] != role:
            problems.append(f"{where}: recorded as signed by a {entry['signer_role']}, not a {role}")
        try:
            apply = self.ring(party).plan(event, self.councils, None)
        except StepRejected as exc:
            return [*problems, f"{where}: the key event is refused ({exc.code}): {exc.message}"]
        if apply is None:
            return [*problems, f"{where}: the key event was applied already"]
        apply()
        return problems


def files_of_step(action: str, payload: Any) -> list[str]:
    """Every file hash a signed step's payload names, through its model's declarations
    (domain/steps/files.py); none for an unknown action or a payload its model refuses."""
    model = PAYLOAD_MODELS.get(action)
    return [] if model is None else files_in_raw(model, payload)


@dataclass(frozen=True)
class NamedFile:
    """A file a trail entry names: its hash, and the step and sequence number naming it."""

    digest: str
    action: str
    seq: int


def files_named_by_trail(trail: dict[str, Any]) -> list[NamedFile]:
    """Each file every entry of the trail names, in trail order (a file named twice is listed
    for each step naming it)."""
    return [
        NamedFile(digest, entry["action"], entry["seq"])
        for entry in trail["entries"]
        for digest in files_of_step(entry["action"], entry["envelope"].get("payload"))
    ]
