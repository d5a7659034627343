"""The parties of one dispute case acting over HTTP: the dispute demos' script.

Like EscrowSession, every party signs its own steps in this process and only the
signed envelopes go to the API: the claimant files the claim (`claim.file`), the
council accepts it and countersigns the decision, the respondent answers, and the
panel's experts, who are parties too (role `expert`), declare, vote and sign.

Case steps are signed at the case's own time, read through `clock(case_id)`: the
server's time in real use (as learned from the API's answers), the workflow's virtual clock
when a demo fast-forwards a case's windows. The claim itself is always signed at the server's
time, because the API checks it against its own clock when the case is filed.

`ExpertKeystore` keeps a demo's expert pool (ids and raw private keys) in a small
JSON file so the same experts are reused across runs. That is a DEMO CONVENIENCE
ONLY: a real expert keeps their own key on their own device (the browser's
WebCrypto, a hardware token) and nobody else ever holds it in a file.
"""

import base64
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from client.escrow_session import eventually
from client.keys import PartyKey
from client.party import Party, Upload, checked, raise_for_error
from client.server_clock import server_clock
from domain.case import steps
from domain.case.machine import settlement_hash
from domain.case.snapshot import CaseSnapshot, RoundSnapshot, read_case_snapshot
from domain.steps.signing import SignedStep
from domain.steps.spec import StepSpec
from expert_panels.draw import DrawRecord, draw_record_from_document
from expert_panels.votes import commitment

CaseClock = Callable[[str], Awaitable[datetime]]


def server_case_clock(http: httpx.AsyncClient) -> CaseClock:
    """The clock in real use: the server's time as learned from `http`'s answers, whatever the case
    (client/server_clock.py)."""
    clock = server_clock(http)

    async def now(case_id: str) -> datetime:
        return clock.now()

    return now


# ------------------------------------------------------------ expert pool
@dataclass(frozen=True)
class ExpertSpec:
    """An expert a demo wants in the registry; `label` names it in the keystore."""

    label: str
    name: str
    domain: str
    specialties: tuple[str, ...]


@dataclass
class KeptExpert:
    label: str
    expert_id: str
    party_id: str
    name: str
    domain: str
    private_key: str  # raw Ed25519 private key, base64: see the module docstring

    def party(self, http: httpx.AsyncClient) -> Party:
        raw = base64.b64decode(self.private_key)
        party = Party(http, "expert", self.name, PartyKey(Ed25519PrivateKey.from_private_bytes(raw)))
        party.id = self.party_id
        return party


def _raw_private_key(key: PartyKey) -> str:
    raw = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


class ExpertKeystore:
    """A demo's expert pool on disk: label -> expert id, party id and private key."""

    NOTICE = (
        "Demo convenience only: the private keys of the demo's expert pool, kept so that "
        "`escrow demo --dispute` and `--car` reuse the same experts across runs. Real experts "
        "keep their own keys on their own devices; never store keys like this."
    )

    def __init__(self, path: Path, entries: dict[str, KeptExpert] | None = None) -> None:
        self.path = path
        self.entries = entries or {}

    @classmethod
    def load(cls, path: Path) -> "ExpertKeystore":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {e["label"]: KeptExpert(**e) for e in raw["experts"]}
        except FileNotFoundError:
            entries = {}
        except (ValueError, KeyError, TypeError):  # unreadable: enrol a fresh pool, overwrite it
            entries = {}
        return cls(path, entries)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"notice": self.NOTICE, "experts": [asdict(e) for e in self.entries.values()]}
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
        os.replace(temporary, self.path)


@dataclass
class PoolExpert:
    spec: ExpertSpec
    expert_id: str
    party: Party
    enrolled_now: bool


async def _still_registered(http: httpx.AsyncClient, council: Party, kept: KeptExpert) -> bool:
    response = await http.get(f"/experts/{kept.expert_id}", headers=council.auth)
    if response.status_code == 404:
        return False
    expert = raise_for_error(response)
    return bool(expert["active"]) and expert["party_id"] == kept.party_id and expert["domain"] == kept.domain


async def enrol_expert_pool(
    http: httpx.AsyncClient, council: Party, keystore: ExpertKeystore, specs: list[ExpertSpec]
) -> list[PoolExpert]:
    """Each spec's expert from the keystore if the registry still has it, else enrolled now.

    Enrolling is what a new expert and the council each do: the expert registers a
    party (role expert) with its own public key, then the council adds the expert to
    its registry, linked to that party so the expert's signatures count on a panel.
    """
    pool = []
    for spec in specs:
        kept = keystore.entries.get(spec.label)
        if kept is not None and await _still_registered(http, council, kept):
            pool.append(PoolExpert(spec, kept.expert_id, kept.party(http), enrolled_now=False))
            continue
        party = await Party(http, "expert", spec.name).register()
        body = {
            "name": spec.name,
            "domain": spec.domain,
            "specialties": list(spec.specialties),
            "party_id": party.id,
        }
        created = raise_for_error(await http.post("/experts", json=body, headers=council.auth))
        kept = KeptExpert(
            spec.label,
            created["expert_id"],
            party.id,
            spec.name,
            spec.domain,
            _raw_private_key(party.key),
        )
        keystore.entries[spec.label] = kept
        pool.append(PoolExpert(spec, kept.expert_id, kept.party(http), enrolled_now=True))
    if any(member.enrolled_now for member in pool):
        keystore.save()
    return pool


async def set_affiliations(
    http: httpx.AsyncClient, council: Party, expert_id: str, affiliations: list[dict[str, Any]]
) -> dict[str, Any]:
    """The council records an expert's employments and paid engagements (the whole list is replaced)."""
    body = {"affiliations": affiliations}
    return raise_for_error(await http.patch(f"/experts/{expert_id}", json=body, headers=council.auth))


# ------------------------------------------------------------------ case
class CaseSession:
    wait_seconds = 20.0

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        claimant: Party,
        respondent: Party,
        council: Party,
        experts: dict[str, Party] | None = None,
        clock: CaseClock | None = None,
    ) -> None:
        self.http = http
        self.claimant = claimant
        self.respondent = respondent
        self.council = council
        self.experts = dict(experts or {})  # expert_id -> the expert's party, for those whose keys we hold
        self.clock = clock or server_case_clock(http)
        self.case_id = ""
        self.claim_hash = ""
        self._votes: dict[str, tuple[dict[str, Any], str]] = {}  # expert_id -> (opinion, salt)

    # -------------------------------------------------------------- basics
    async def file(self, claim: dict[str, Any], evidence: Sequence[Upload] = ()) -> dict[str, Any]:
        """The claimant uploads the claim's files, then signs the whole claim naming them as
        `claim.file`, addressed to the respondent."""
        if evidence:
            claim = claim | {"evidence": await self.claimant.upload_files(evidence)}
        signed = self.claimant.sign("claim.file", self.respondent.id, claim)  # at the server's time
        response = await self.http.post("/cases", json=asdict(signed), headers=self.claimant.auth)
        filed = raise_for_error(response)
        self.case_id, self.claim_hash = filed["case_id"], filed["claim_hash"]
        return filed

    async def step(self, party: Party, path: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Sign `payload` as `action` at the case's time and post it to `/cases/{case_id}{path}`."""
        signed = party.sign(action, self.case_id, payload, await self.clock(self.case_id))
        response = await self.http.post(f"/cases/{self.case_id}{path}", json=asdict(signed))
        return raise_for_error(response)

    async def send(self, party: Party, spec: StepSpec[Any], payload: dict[str, Any]) -> dict[str, Any]:
        """A declared step (domain/case/steps.py), to the route its declaration names."""
        return await self.step(party, spec.route(payload), spec.action, payload)

    async def state(self) -> CaseSnapshot:
        """`GET /cases/{id}` read back into the snapshot the API answered with."""
        response = await self.http.get(f"/cases/{self.case_id}", headers=self.council.auth)
        return read_case_snapshot(checked(response).content)

    async def draws(self) -> list[dict[str, Any]]:
        response = await self.http.get(f"/cases/{self.case_id}/draws", headers=self.council.auth)
        draws: list[dict[str, Any]] = checked(response).json()
        return draws

    async def wait_for(self, predicate: Callable[[CaseSnapshot], bool], what: str) -> CaseSnapshot:
        """Re-read the case until `predicate` holds (timers and draws run in the workflow)."""
        return await eventually(self.state, predicate, what, self.wait_seconds)

    async def until(self, *phases: str) -> CaseSnapshot:
        return await self.wait_for(
            lambda s: s.phase in phases, f"{self.case_id} to reach {' or '.join(phases)}"
        )

    def expert(self, expert_id: str) -> Party:
        try:
            return self.experts[expert_id]
        except KeyError:
            raise LookupError(f"{expert_id} is not an expert whose key this session holds") from None

    @staticmethod
    def seats(state: CaseSnapshot) -> list[str]:
        """The current panel in seat order (the chair first)."""
        current = state.current_round
        return list(_draw(current).panel) if current is not None and current.draw is not None else []

    @staticmethod
    def chair(state: CaseSnapshot) -> str:
        return _draw(state.current_round).chair

    # ---------------------------------------------------- council, parties
    async def accept(self, note: str = "accepted") -> dict[str, Any]:
        return await self.send(self.council, steps.CASE_ACCEPT, {"note": note})

    async def reject(self, reasons: str, grounds: list[str] | None = None) -> dict[str, Any]:
        """`grounds`: codes of SAMR Order No. 20 art. 15 (domain/case/terms.py REJECTION_GROUNDS)."""
        payload: dict[str, Any] = {"reasons": reasons}
        if grounds:
            payload["grounds"] = grounds
        return await self.send(self.council, steps.CASE_REJECT, payload)

    async def answer(
        self, text: str, evidence: Sequence[Upload] = (), defences: Sequence[str] = ()
    ) -> dict[str, Any]:
        """`defences`: in a car case, the codes of SAMR Order No. 43's defences the dealer raises
        (domain/case/steps.py DEFENCES), weighed as raised in the statutory remedy."""
        payload: dict[str, Any] = {"text": text}
        if evidence:
            payload["evidence"] = await self.respondent.upload_files(evidence)
        if defences:
            payload["defences"] = list(defences)
        return await self.send(self.respondent, steps.ANSWER_SUBMIT, payload)

    async def sign_settlement(
        self, party: Party, pay_fen: int, refund_fen: int, remedy: str = "-"
    ) -> dict[str, Any]:
        payload = {
            "pay_fen": pay_fen,
            "refund_fen": refund_fen,
            "remedy": remedy,
            "settlement_hash": settlement_hash(self.case_id, pay_fen, refund_fen, remedy),
        }
        return await self.send(party, steps.SETTLEMENT_SIGN, payload)

    async def strike(self, party: Party, expert_id: str, reason: str) -> dict[str, Any]:
        return await self.send(party, steps.STRIKE_SUBMIT, {"expert_id": expert_id, "reason": reason})

    async def submit_evidence(
        self, party: Party, files: Sequence[Upload], *, reply: bool = False, note: str = ""
    ) -> dict[str, Any]:
        """The party uploads the files, then signs `evidence.submit` naming them."""
        payload: dict[str, Any] = {"evidence": await party.upload_files(files)}
        if reply:
            payload["reply"] = True
        if note:
            payload["note"] = note
        return await self.send(party, steps.EVIDENCE_SUBMIT, payload)

    async def sign_inspection(self, party: Party, report_hash: str) -> dict[str, Any]:
        return await self.send(party, steps.INSPECTION_SIGN, {"report_hash": report_hash})

    async def pause_clock(self, reason: str) -> dict[str, Any]:
        return await self.send(self.council, steps.CLOCK_PAUSE, {"reason": reason})

    async def resume_clock(self, note: str = "resumed") -> dict[str, Any]:
        return await self.send(self.council, steps.CLOCK_RESUME, {"note": note})

    async def countersign(self, decision_hash: str) -> dict[str, Any]:
        return await self.send(
            self.council,
            steps.DECISION_COUNTERSIGN,
            {"decision_hash": decision_hash},
        )

    async def object(self, party: Party, reason: str) -> dict[str, Any]:
        return await self.send(party, steps.DECISION_OBJECT, {"reason": reason})

    async def submit_enforcement(self, escrow_step: SignedStep) -> dict[str, Any]:
        """Hand the council's signed escrow `dispute.decide` to the case, which applies it to the escrow."""
        payload = {"escrow_step": {"envelope": escrow_step.envelope, "signature": escrow_step.signature}}
        return await self.send(self.council, steps.ENFORCEMENT_SUBMIT, payload)

    async def withdraw(self, reason: str, escrow_step: SignedStep | None = None) -> dict[str, Any]:
        """The claimant drops the case; a case deciding an escrow's dispute needs the claimant's
        own signed `dispute.withdraw` for that escrow (`withdrawal_escrow_step`)."""
        payload: dict[str, Any] = {"reason": reason}
        if escrow_step is not None:
            payload["escrow_step"] = {"envelope": escrow_step.envelope, "signature": escrow_step.signature}
        return await self.send(self.claimant, steps.CASE_WITHDRAW, payload)

    def withdrawal_escrow_step(self, escrow_id: str, dispute: int, now: datetime) -> SignedStep:
        """The claimant's `dispute.withdraw` for the escrow, signed at the escrow's time `now`."""
        return self.claimant.sign(
            "dispute.withdraw", escrow_id, {"dispute": dispute, "case_id": self.case_id}, now
        )

    async def extend_mediation(self, party: Party, working_days: int) -> dict[str, Any]:
        """One side's signature on an extension of the mediation period (both must sign it)."""
        return await self.send(party, steps.MEDIATION_EXTEND, {"working_days": working_days})

    async def confirm_remedy(self, remedy: str) -> dict[str, Any]:
        return await self.send(self.respondent, steps.REMEDY_CONFIRM, {"remedy": remedy})

    # -------------------------------------------------------------- panel
    async def declare(
        self, expert_id: str, *, independent: bool = True, reason: str | None = None
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"independent": independent}
        if reason:
            payload["reason"] = reason
        return await self.send(self.expert(expert_id), steps.DECLARATION_SIGN, payload)

    async def commit_vote(self, expert_id: str, opinion: dict[str, Any]) -> str:
        """Commit to a hash of the opinion and a fresh secret salt; the salt stays here until the reveal."""
        salt = secrets.token_hex(16)
        hashed = commitment(opinion, salt)
        await self.send(self.expert(expert_id), steps.VOTE_COMMIT, {"commitment": hashed})
        self._votes[expert_id] = (opinion, salt)
        return hashed

    async def reveal_vote(self, expert_id: str) -> dict[str, Any]:
        opinion, salt = self._votes[expert_id]
        return await self.send(self.expert(expert_id), steps.VOTE_REVEAL, {"opinion": opinion, "salt": salt})

    async def summarise(self, summary: str, **outcome: Any) -> dict[str, Any]:
        """The chair's plain-language summary, with the outcome (renovation) or remedy (car)."""
        chair = self.chair(await self.state())
        return await self.send(self.expert(chair), steps.DECISION_SUMMARISE, {"summary": summary, **outcome})

    async def sign_decision(
        self, expert_id: str, decision_hash: str, dissent: str | None = None
    ) -> dict[str, Any]:
        payload = {"decision_hash": decision_hash}
        if dissent:
            payload["dissent"] = dissent
        return await self.send(self.expert(expert_id), steps.DECISION_SIGN, payload)


def _draw(current: RoundSnapshot | None) -> DrawRecord:
    """The current round's draw record (its seats in order, the chair first)."""
    if current is None or current.draw is None:
        raise LookupError("the case has no panel drawn")
    return draw_record_from_document(current.draw)
