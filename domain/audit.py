"""Offline verification of an escrow's exported trail of signed steps.

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
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from domain.canonical import content_hash
from domain.case.steps import CASE_RULES, ClaimFile
from domain.escrow.steps import ESCROW_RULES
from domain.keys import KEY_EVENTS, KEY_RECOVER, KeyRing
from domain.roles import Role
from domain.steps.files import files_in_raw
from domain.steps.machine import ROOT_AT, trail_entry_hash
from domain.steps.rejections import StepRejected
from domain.steps.signing import SignedStep

# Every signed payload's model by its action: the escrow's and the case's steps (their names do
# not overlap) and the claim that files a case.
PAYLOAD_MODELS: dict[str, type[BaseModel]] = {
    **{action: spec.payload for action, spec in ESCROW_RULES.items()},
    **{action: spec.payload for action, spec in CASE_RULES.items()},
    "claim.file": ClaimFile,
}


def _signer_keys(trail: dict[str, Any]) -> dict[str, tuple[str, str]]:
    terms = trail["terms"]
    keys: dict[str, tuple[str, str]] = {
        terms[role]["party_id"]: (role, terms[role]["public_key"])
        for role in (Role.OWNER, Role.CONTRACTOR, Role.INSPECTOR)
    }
    for party_id, public_key in trail.get("council_keys", {}).items():
        keys[party_id] = (Role.COUNCIL, public_key)
    return keys


EARLIER_ENTRIES = "earlier_entries"


def whole_trail(trail: dict[str, Any], stored: list[dict[str, Any]]) -> dict[str, Any]:
    """The trail of the whole life, from the workflow's export and the audit log.

    An escrow that continued as new into its warranty holds only that run's entries and says
    how many came before (`earlier_entries`); those are read from the audit log, which every
    projection filled (the switch waited for it). The chain is not trusted for being joined:
    `verify_trail` checks it end to end, so a missing or altered earlier entry fails there.
    """
    earlier = trail.get(EARLIER_ENTRIES, 0)
    whole = {key: value for key, value in trail.items() if key != EARLIER_ENTRIES}
    whole["entries"] = [entry for entry in stored if entry["seq"] <= earlier] + list(trail["entries"])
    return whole


def verify_trail(trail: dict[str, Any]) -> list[str]:
    """Every problem found, in trail order; an empty list means the trail is intact."""
    try:
        return _problems(trail)
    except (KeyError, TypeError, AttributeError) as exc:
        return [f"the file is not an escrow trail: missing or malformed {exc}"]


def _problems(trail: dict[str, Any]) -> list[str]:
    problems = []
    terms_hash = content_hash(trail["terms"])
    if terms_hash != trail["terms_hash"]:
        problems.append("the terms do not hash to the recorded terms_hash")
    if trail["terms"]["escrow_id"] != trail["escrow_id"]:
        problems.append("the terms belong to another escrow")
    replay = _KeysReplay(_signer_keys(trail), dict(trail.get("council_keys", {})))
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
            if envelope.get("subject") != trail["escrow_id"]:
                problems.append(f"{where}: the envelope is for another escrow")
        if envelope.get("action") != entry["action"]:
            problems.append(f"{where}: the envelope is for another action")
        previous = entry["entry_hash"]
    return problems


@dataclass
class _KeysReplay:
    """Each party's keys along the trail: from its key in the terms or the council list, with
    the trail's key entries applied in order."""

    keys: dict[str, tuple[str, str]]  # party id -> (role, the key the terms or council list name)
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
        rule = ESCROW_RULES.get(str(step.envelope.get("action")))
        if rule is None or role not in rule.roles or role != entry["signer_role"]:
            problems.append(f"{where}: a {role} may not sign {step.envelope.get('action')}")
        return problems

    def key_event_problems(self, where: str, entry: dict[str, Any], event: SignedStep) -> list[str]:
        """The event applied to its party's ring with `now=None`: the escrow checked a recovery's
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
