"""A dispute case driven step by step with real keys, for the pure machine's tests."""

from copy import deepcopy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from client.keys import PartyKey as SigningKey
from domain.calendar import WorkCalendar
from domain.case.machine import CaseMachine, settlement_hash
from domain.case.state import CasePhase
from domain.case.terms import CAR, RENOVATION, CaseTerms, ClaimItem
from domain.steps.parties import PartyKey
from domain.steps.rejections import RejectionKind, StepRejected
from domain.steps.signing import SignedStep
from expert_panels.draw import DrawRecord
from expert_panels.registry import Affiliation, Expert
from expert_panels.votes import commitment

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday morning in Shanghai
DISPUTED = 1_000_000
SALT = "pepper-and-salt-0123456789"


def experts(domain: str = RENOVATION, count: int = 8) -> list[Expert]:
    specialty = "waterproofing" if domain == RENOVATION else "engine"
    other = "plumbing" if domain == RENOVATION else "body"
    return [
        Expert(
            expert_id=f"EXP-{n:03d}",
            name=f"Expert {n}",
            domain=domain,
            specialties=[specialty if n % 2 == 0 else other],
            affiliations=[Affiliation("ORG-CONTRACTOR", "paid", date(2025, 1, 1))] if n == 0 else [],
        )
        for n in range(count)
    ]


class CaseKit:
    def __init__(self, domain: str = RENOVATION, *, escrow: bool = True, expert_count: int = 14) -> None:
        self.keys = {name: SigningKey.generate() for name in ("claimant", "respondent", "council")}
        self.now = START
        self.experts = experts(domain, expert_count)
        self.expert_keys = {e.expert_id: SigningKey.generate() for e in self.experts}
        self.parties = {
            e.expert_id: PartyKey(f"P-{e.expert_id}", self.expert_keys[e.expert_id].public_key_b64)
            for e in self.experts
        }
        terms = CaseTerms(
            case_id="CASE-2026-00001",
            domain=domain,
            main_specialty="waterproofing" if domain == RENOVATION else "engine",
            claimant=PartyKey("P-CLAIMANT", self.keys["claimant"].public_key_b64),
            respondent=PartyKey("P-RESPONDENT", self.keys["respondent"].public_key_b64),
            claimant_org="ORG-OWNER",
            respondent_org="ORG-CONTRACTOR",
            items=[ClaimItem("leak", "bathroom floor leaks"), ClaimItem("tiles", "hollow tiles")],
            disputed_fen=DISPUTED,
            remedy_sought="refund the disputed stage",
            claim_hash="sha256:claim",
            escrow_id="ESC-2026-00001" if escrow and domain == RENOVATION else None,
            escrow_dispute=1 if escrow and domain == RENOVATION else None,
        )
        self.m = CaseMachine(
            terms,
            council_keys={"P-COUNCIL": self.keys["council"].public_key_b64},
            calendar=WorkCalendar(),
            filed_at=self.now,
            max_skew=timedelta(minutes=15),
        )

    # ------------------------------------------------------------- signing
    def signed(self, who: str, action: str, payload: dict[str, Any], subject: str | None = None):
        if who in self.expert_keys:
            key, signer = self.expert_keys[who], self.parties[who].party_id
        else:
            key, signer = (
                self.keys[who],
                {"claimant": "P-CLAIMANT", "respondent": "P-RESPONDENT", "council": "P-COUNCIL"}[who],
            )
        return key.sign_step(
            action=action, subject=subject or self.m.subject_id, signer=signer, payload=payload, now=self.now
        )

    def step(self, who: str, action: str, payload: dict[str, Any]) -> str:
        return self.m.plan(self.signed(who, action, payload), self.now)()

    def refused(self, who: str, action: str, payload: dict[str, Any]) -> StepRejected:
        before = self.m.snapshot()
        try:
            self.m.plan(self.signed(who, action, payload), self.now)
        except StepRejected as rejection:
            assert self.m.snapshot() == before
            return rejection
        raise AssertionError(f"{action} by {who} was accepted")

    def tick(self, delta: timedelta) -> None:
        self.now += delta
        self.m.on_time(self.now)

    # --------------------------------------------------------------- phases
    def to_draw(self) -> None:
        self.step("council", "case.accept", {})
        self.step("respondent", "answer.submit", {"text": "answer"})
        self.tick(timedelta(days=10))

    def draw(self, seed: str = "seed-1") -> list[str]:
        request = self.m.draw_request(self.now)
        self.m.record_draw(request, self.experts, self.parties, seed, self.now)
        return list(self.m.round.seats)

    def form_panel(self) -> list[str]:
        seats = self.draw()
        for expert_id in seats:
            self.step(expert_id, "declaration.sign", {"independent": True})
        self.tick(timedelta(days=2))
        return list(self.m.round.seats)

    def vote(self, proposals: dict[str, int | None], findings: dict[str, str] | None = None) -> None:
        findings = findings or {"leak": "upheld", "tiles": "rejected"}
        opinions = {
            e: {"findings": findings, "pay_fen": pay, "reasons": f"{e} inspected"}
            for e, pay in proposals.items()
        }
        for expert_id, opinion in opinions.items():
            self.step(expert_id, "vote.commit", {"commitment": commitment(opinion, SALT)})
        for expert_id, opinion in opinions.items():
            self.step(expert_id, "vote.reveal", {"opinion": opinion, "salt": SALT})

    def settlement(self, pay: int, refund: int, remedy: str = "-") -> dict[str, Any]:
        return {
            "settlement_hash": settlement_hash(self.m.subject_id, pay, refund, remedy),
            "pay_fen": pay,
            "refund_fen": refund,
            "remedy": remedy,
        }


__all__ = ["CAR", "RENOVATION", "CaseKit", "DISPUTED", "experts"]


# ----------------------------------------------------------------------------------------------
# Branch-test helpers (tests/test_case_machine_*.py). Appended: nothing above changes.
# ----------------------------------------------------------------------------------------------
def machine_state(machine: CaseMachine) -> dict[str, Any]:
    """Everything the machine holds, including what `snapshot()` leaves out (nonces, set_aside, keys)."""
    return deepcopy(dict(vars(machine)))


def expert(
    n: int,
    specialty: str = "waterproofing",
    *,
    domain: str = RENOVATION,
    affiliations: list[Affiliation] | None = None,
    open_cases: int = 0,
    active: bool = True,
) -> Expert:
    return Expert(
        expert_id=f"EXP-{n:03d}",
        name=f"Expert {n}",
        domain=domain,
        specialties=[specialty],
        affiliations=affiliations or [],
        open_cases=open_cases,
        active=active,
    )


class BranchKit(CaseKit):
    """A `CaseKit` that checks more on every call, for the branch tests.

    - `step` asserts that planning changed nothing before it commits;
    - `reject` asserts the rejection's kind and code and that the whole machine (not just its
      snapshot) is unchanged, nonces included;
    - `tick` asserts that no deadline is left in the past once `on_time` ran (a past deadline
      would make the workflow wake up again at once, forever), unless a draw is due.
    Terms fields and the calendar can be overridden; the machine is rebuilt with them.
    """

    def __init__(
        self,
        domain: str = RENOVATION,
        *,
        escrow: bool = True,
        expert_count: int = 14,
        calendar: WorkCalendar | None = None,
        **terms_changes: Any,
    ) -> None:
        super().__init__(domain, escrow=escrow, expert_count=expert_count)
        if calendar is not None or terms_changes:
            self.m = CaseMachine(
                replace(self.m.terms, **terms_changes),
                council_keys=dict(self.m.council_keys),
                calendar=calendar or WorkCalendar(),
                filed_at=self.now,
                max_skew=self.m.max_skew,
            )

    # ------------------------------------------------------------- experts
    def use_experts(self, roster: list[Expert], *, unlinked: tuple[str, ...] = ()) -> None:
        """Replace the registry; experts in `unlinked` have no signing key."""
        self.experts = list(roster)
        for e in roster:
            self.expert_keys.setdefault(e.expert_id, SigningKey.generate())
        self.parties = {
            e.expert_id: PartyKey(f"P-{e.expert_id}", self.expert_keys[e.expert_id].public_key_b64)
            for e in roster
            if e.expert_id not in unlinked
        }

    def draw_sized(self, panel_size: int, seed: str = "seed-1") -> list[str]:
        """Draw with a request of another panel size than the machine asked for."""
        request = replace(self.m.draw_request(self.now), panel_size=panel_size)
        self.m.record_draw(request, self.experts, self.parties, seed, self.now)
        return list(self.m.round.seats)

    @property
    def seats(self) -> list[str]:
        return list(self.m.round.seats)

    @property
    def chair(self) -> str:
        return self.record().chair

    def record(self) -> DrawRecord:
        record = self.m.round.draw
        assert record is not None, "no panel drawn yet"
        return record

    def recorded_candidates(self) -> list[Expert]:
        return self.m.round.candidates

    # ---------------------------------------------------------------- steps
    def submit(self, step: SignedStep) -> str:
        before = machine_state(self.m)
        commit = self.m.plan(step, self.now)
        assert machine_state(self.m) == before, "planning a step changed the machine"
        return commit()

    def step(self, who: str, action: str, payload: dict[str, Any]) -> str:
        return self.submit(self.signed(who, action, payload))

    def reject_step(self, step: SignedStep, kind: RejectionKind, code: str) -> StepRejected:
        before = machine_state(self.m)
        with pytest.raises(StepRejected) as caught:
            self.m.plan(step, self.now)()
        assert (caught.value.kind, caught.value.code) == (kind, code), caught.value.message
        assert machine_state(self.m) == before, "a refused step changed the machine"
        return caught.value

    def reject(
        self, who: str, action: str, payload: dict[str, Any], kind: RejectionKind, code: str
    ) -> StepRejected:
        return self.reject_step(self.signed(who, action, payload), kind, code)

    # ----------------------------------------------------------------- time
    def tick(self, delta: timedelta) -> None:
        super().tick(delta)
        deadline = self.m.next_deadline()
        assert deadline is None or deadline > self.now or self.m.draw_request(self.now) is not None, (
            f"deadline {deadline} left in the past at {self.now} in {self.m.phase}"
        )

    def run_to(self, moment: datetime) -> None:
        self.tick(moment - self.now)

    def alerts(self, kind: str | None = None) -> list[str]:
        prefix = f"{self.m.subject_id}:"
        return [a.business_key.removeprefix(prefix) for a in self.m.alerts if kind in (None, a.kind)]

    # -------------------------------------------------------------- scripts
    def declare_all(self) -> None:
        """Every seat still undeclared declares independence, then the strike window runs out."""
        for expert_id, seat in list(self.m.round.seats.items()):
            if not seat.declared:
                self.step(expert_id, "declaration.sign", {"independent": True})
        if self.m.phase is CasePhase.PANEL:
            self.run_to(max(self.now, self.m.round.strike_due))

    def to_evidence(self) -> list[str]:
        self.to_draw()
        return self.form_panel()

    def to_voting(self) -> list[str]:
        seats = self.to_evidence()
        self.run_to(self.m.round.reply_due)
        assert self.m.phase is CasePhase.VOTING
        return seats

    def opinion(self, pay: int | None, findings: dict[str, str] | None = None, reasons: str = "r") -> dict:
        return {
            "findings": findings or {"leak": "upheld", "tiles": "rejected"},
            "pay_fen": pay,
            "reasons": reasons,
        }

    def commit(self, expert_id: str, opinion: dict[str, Any]) -> None:
        self.step(expert_id, "vote.commit", {"commitment": commitment(opinion, SALT)})

    def reveal(self, expert_id: str, opinion: dict[str, Any]) -> None:
        self.step(expert_id, "vote.reveal", {"opinion": opinion, "salt": SALT})

    def summarise(self, **summary: Any) -> str:
        self.step(self.chair, "decision.summarise", {"summary": "plain words", **summary})
        return self.m.round.decision_hash

    def sign_decision(self) -> str:
        decision_hash = self.m.round.decision_hash
        for expert_id in self.seats:
            self.step(expert_id, "decision.sign", {"decision_hash": decision_hash})
        self.step("council", "decision.countersign", {"decision_hash": decision_hash})
        return decision_hash

    def decide(self, proposals: list[int | None], **summary: Any) -> str:
        """From the draw (or the drawn panel) to a countersigned decision of the current round."""
        if self.m.phase is CasePhase.DRAW:
            self.draw()
        self.declare_all()
        self.run_to(self.m.round.reply_due)
        self.vote(dict(zip(self.seats, proposals, strict=True)))
        self.summarise(**summary)
        return self.sign_decision()

    def escrow_step(
        self,
        who: str = "council",
        *,
        subject: str = "ESC-2026-00001",
        action: str = "dispute.decide",
        **payload: Any,
    ) -> dict[str, Any]:
        body = {"dispute": 1, "reasons": "per the panel", "decision_hash": "h", **payload}
        step = self.key_for(who).sign_step(
            action=action, subject=subject, signer=self.signer_id(who), payload=body, now=self.now
        )
        return {"escrow_step": {"envelope": step.envelope, "signature": step.signature}}

    def key_for(self, who: str) -> SigningKey:
        return self.expert_keys[who] if who in self.expert_keys else self.keys[who]

    def signer_id(self, who: str) -> str:
        if who in self.expert_keys:
            return f"P-{who}"
        return {"claimant": "P-CLAIMANT", "respondent": "P-RESPONDENT", "council": "P-COUNCIL"}[who]
