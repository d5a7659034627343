"""A dispute case driven step by step with real keys, for the pure machine's tests."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from client.keys import PartyKey as SigningKey
from domain.calendar import WorkCalendar
from domain.dispute.machine import DisputeMachine, settlement_hash
from domain.dispute.terms import CAR, RENOVATION, CaseTerms, ClaimItem
from domain.escrow.rejections import StepRejected
from domain.escrow.terms import PartyKey
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
        self.m = DisputeMachine(
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
        self.step("respondent", "answer.submit", {"answer_hash": "sha256:answer"})
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
