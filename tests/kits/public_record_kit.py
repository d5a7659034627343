"""A realistic history for the public record, driven through the real workflows, and its ledger.

Every escrow and case is created and moved by its parties' signed steps over HTTP, as in
production. Workflow clocks only move forward from today, so each escrow is fast-forwarded
(its own virtual clock only) to a day in 2027 before its stages and disputes: its complaints
fall in 2027Q1 to 2027Q3. A case's filing date is its workflow's start: a renovation case,
started by its escrow as a child, keeps the escrow's clock; a car case starts today. The kit
reads each case's filing time from the case's own clock. Alongside, the kit keeps its own
ledger of what it did (`Ledger`), from which the test computes every expected figure without
reading the record.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from client.accreditation import accredit_inspector
from client.businesses import demo_credit_code, verify
from client.case_session import CaseSession
from client.party import Party, raise_for_error
from db.experts import create_expert
from domain.calendar import SHANGHAI
from expert_panels.registry import Expert
from tests.conftest import Stack
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow
from workflows.case_types import case_workflow_id

STAGES = [{"name": "Plumbing and wiring", "amount_fen": 600_000}, {"name": "Tiling", "amount_fen": 400_000}]
DISPUTED = 400_000  # stage 2, below the small-claim threshold: one expert decides
SURNAMES = ["Zhang", "Wang", "Chen", "Liu", "Huang", "Zhao", "Zhou", "Sun", "Ma", "Zhu"]
GIVEN = ["Xiaoming", "Jing", "Lihua", "Jianguo", "Meiling", "Haoran", "Yutong", "Zihan", "Guofeng", "Shuang"]
RENOVATION_SPECIALTIES = ("waterproofing", "plumbing")
CAR_SPECIALTIES = ("engine", "transmission")

# What happens to stage 2 of an escrow (the complaint, if any): counts over the ordinary escrows.
ESCROW_KINDS = {
    "none": 100,
    "refund": 16,  # the owner disputes, the council decides a full refund
    "split": 14,
    "business": 10,  # decided: everything to the contractor
    "withdrawn": 14,  # disputed, then both sides cancel the contract
    "open": 8,
    "contractor": 8,  # the contractor disputes: a dispute, not a complaint
    "case_settled": 10,  # an expert-panel case, settled by both parties
    "case_refund": 5,
    "case_split": 5,
    "case_business": 4,
    "case_rejected": 6,
}
CAR_KINDS = {"case_settled": 3, "case_repair": 4, "case_none": 3, "case_rejected": 2}


@dataclass
class Complaint:
    """One dispute as the test made it."""

    key: str
    business_id: str
    raised_by: str  # consumer | business
    category: str
    filed_at: datetime
    outcome: str


@dataclass
class StageRecord:
    contractor_id: str
    inspector_id: str
    first_pass: bool
    accepted: bool


@dataclass
class Ledger:
    complaints: list[Complaint] = field(default_factory=list)
    stages: list[StageRecord] = field(default_factory=list)
    escrows: dict[str, str] = field(default_factory=dict)  # escrow id -> contractor id
    decisions: list[str] = field(default_factory=list)  # case ids decided by a panel
    consumer_secrets: list[str] = field(default_factory=list)  # names, phones, addresses given
    names: dict[str, str] = field(default_factory=dict)  # party id -> name the record prints
    codes: dict[str, str] = field(default_factory=dict)  # business party id -> its credit code


def month_day(month: int, index: int) -> datetime:
    """Midday on a day between the 8th and the 20th of a 2027 month, Shanghai time."""
    return datetime(2027, month, 8 + index % 13, 12, 0, tzinfo=SHANGHAI)


class HistoryKit:
    def __init__(self, stack: Stack, *, seed: int = 7) -> None:
        self.stack = stack
        self.http = stack.http
        self.rng = random.Random(seed)
        self.ledger = Ledger()
        self.council = Party(self.http, "council", "Guilin Consumer Council")
        self.contractors: list[Party] = []
        self.inspectors: list[Party] = []
        self.dealers: list[Party] = []
        self.experts: dict[str, Party] = {}
        self._consumers = 0

    # ------------------------------------------------------------- parties
    async def business(self, role: str, name: str, address: str) -> Party:
        party = Party(self.http, role, name)
        body = {
            "role": role,
            "display_name": name,
            "public_key": party.key.public_key_b64,
            "address": address,
            "credit_code": demo_credit_code(self.rng.choice),
            "legal_name": f"{name} Co., Ltd.",
        }
        registered = raise_for_error(await self.http.post("/parties", json=body))
        party.id, party.token = registered["party"]["id"], registered["token"]
        await verify(self.council, party.id)
        # The record prints the verified legal name, not the display name the business typed.
        self.ledger.names[party.id] = body["legal_name"]
        self.ledger.codes[party.id] = body["credit_code"]
        return party

    async def consumer(self, role: str) -> tuple[Party, dict[str, str]]:
        """A consumer with a name, phone and home address: none of which may ever be published."""
        n = self._consumers = self._consumers + 1
        name = f"{SURNAMES[n % 10]} {GIVEN[(n // 10) % 10]}"
        secrets = {
            "name": name,
            "phone": f"139{n:08d}",
            "address": f"桂林市七星区漓江路{n}号{n % 9 + 1}栋{n % 7 + 1}01室",
        }
        party = Party(self.http, role, name)
        body = {
            "role": role,
            "display_name": name,
            "public_key": party.key.public_key_b64,
            "address": secrets["address"],
        }
        registered = raise_for_error(await self.http.post("/parties", json=body))
        party.id, party.token = registered["party"]["id"], registered["token"]
        self.ledger.names[party.id] = name
        self.ledger.consumer_secrets += [secrets["phone"], secrets["address"], name]
        return party, secrets

    async def setup(self, engine) -> None:
        await self.council.register(enrolment_secret=COUNCIL_SECRET)
        for k in range(25):
            self.contractors.append(
                await self.business(
                    "contractor", f"Guilin Builder {chr(65 + k)} Co.", f"{k + 1} Zhongshan Road"
                )
            )
        for k in range(4):
            inspector = await self.business("inspector", f"Lijiang Inspection {k + 1}", "Qixing")
            await accredit_inspector(self.council, inspector.id)
            self.inspectors.append(inspector)
        for k in range(3):
            self.dealers.append(await self.business("dealer", f"Guilin Motors {k + 1}", f"{k + 1} Ring Road"))
        self.spike = await self.business("contractor", "Quickfix Decor", "99 Diecai Road")
        await self._enrol_experts(engine)

    async def _enrol_experts(self, engine) -> None:
        """Experts whose keys the kit holds, the only ones in this stack's registry."""
        for domain, specialties, count in (
            ("renovation", RENOVATION_SPECIALTIES, 8),
            ("car", CAR_SPECIALTIES, 6),
        ):
            for n in range(count):
                party = await Party(self.http, "expert", f"Expert {domain} {n}").register()
                expert = Expert(f"EXP-{domain[:3].upper()}-{n:02d}", party.name, domain, list(specialties))
                with Session(engine) as session:
                    create_expert(session=session, expert=expert, party_id=party.id)
                self.experts[expert.expert_id] = party

    # ------------------------------------------------------------- escrows
    def plan(self) -> list[tuple[Party, int, str]]:
        """(contractor, month of 2027, kind) per escrow: busier contractors get more escrows."""
        kinds = [kind for kind, count in ESCROW_KINDS.items() for _ in range(count)]
        self.rng.shuffle(kinds)
        weights = [25 - k for k in range(25)]
        plans = [
            (self.rng.choices(self.contractors, weights)[0], 1 + i % 9, kind) for i, kind in enumerate(kinds)
        ]
        # a spike: one complaint in January, none in February, one in March, seven in April
        plans += [(self.spike, month, "refund") for month in (1, 3, 4, 4, 4, 4, 4, 4, 4)]
        return plans

    async def escrow(self, index: int, contractor: Party, month: int, kind: str) -> None:
        inspector = self.inspectors[index % len(self.inspectors)]
        owner, secrets = await self.consumer("owner")
        flow = EscrowFlow(self.stack)
        flow.owner, flow.contractor, flow.inspector, flow.council = owner, contractor, inspector, self.council
        await flow.create(title=f"Flat {index} renovation", stages=STAGES, retention_fen=0)
        await flow.sign_contract()
        await flow.deposit(sum(s["amount_fen"] for s in STAGES))
        self.ledger.escrows[flow.escrow_id] = contractor.id
        await flow.fast_forward(month_day(month, index) - await flow.now())
        await self._stage(flow, 1, fail_first=index % 4 == 0)
        if kind == "none":
            await self._stage(flow, 2, fail_first=index % 5 == 0)
            return
        if kind == "contractor":
            await flow.raise_dispute(contractor, [2], "the owner refuses to let us finish")
            filed = await flow.now()
            await flow.decide(1, "split", pay_fen=DISPUTED, refund_fen=0)
            self._complaint(f"{flow.escrow_id}:dispute-1", contractor.id, "business", filed, "for_business")
            return
        await flow.raise_dispute(owner, [2], "the tiles are hollow")
        filed = await flow.now()
        key = f"{flow.escrow_id}:dispute-1"
        if kind.startswith("case_"):
            await self.renovation_case(flow, owner, secrets, kind)
            return
        if kind == "refund":
            await flow.decide(1, "refund", refund_fen=DISPUTED)
            outcome = "for_consumer"
        elif kind == "split":
            await flow.decide(1, "split", pay_fen=150_000, refund_fen=DISPUTED - 150_000)
            outcome = "split"
        elif kind == "business":
            await flow.decide(1, "split", pay_fen=DISPUTED, refund_fen=0)
            outcome = "for_business"
        elif kind == "withdrawn":
            await flow.sign_cancellation(owner)
            await flow.sign_cancellation(contractor)
            outcome = "withdrawn"
        else:
            outcome = "open"
        self._complaint(key, contractor.id, "consumer", filed, outcome, "renovation/unclassified")

    async def _stage(self, flow: EscrowFlow, stage: int, *, fail_first: bool) -> None:
        await flow.request_inspection(stage)
        if fail_first:
            defect = {"description": "hollow tiles", "location": "bathroom", "cost_estimate_fen": 20_000}
            await flow.report(stage, "fail", [defect])
            await flow.request_inspection(stage)
        await flow.accept(stage, await flow.report(stage, "pass"))
        self.ledger.stages.append(StageRecord(flow.contractor.id, flow.inspector.id, not fail_first, True))

    def _complaint(
        self, key: str, business: str, raised_by: str, filed: datetime, outcome: str, category: str = ""
    ) -> None:
        category = category or "renovation/unclassified"
        self.ledger.complaints.append(Complaint(key, business, raised_by, category, filed, outcome))

    # --------------------------------------------------------------- cases
    def case_session(self, claimant: Party, respondent: Party) -> CaseSession:
        async def clock(case_id: str) -> datetime:
            handle = self.stack.temporal.get_workflow_handle(case_workflow_id(case_id))
            return await self.stack.skipper.get_current_time(handle)

        return CaseSession(
            self.http,
            claimant=claimant,
            respondent=respondent,
            council=self.council,
            experts=self.experts,
            clock=clock,
        )

    async def forward(self, case: CaseSession, days: int) -> None:
        handle = self.stack.temporal.get_workflow_handle(case_workflow_id(case.case_id))
        await self.stack.skipper.fast_forward(handle, timedelta(days=days))

    async def renovation_case(
        self, flow: EscrowFlow, owner: Party, secrets: dict[str, str], kind: str
    ) -> None:
        specialty = RENOVATION_SPECIALTIES[len(self.ledger.complaints) % 2]
        case = self.case_session(owner, flow.contractor)
        claim = {
            "domain": "renovation",
            "main_specialty": specialty,
            "items": [
                {"item_id": "tiles", "description": f"hollow tiles in the bathroom of {secrets['name']}"}
            ],
            "disputed_fen": DISPUTED,
            "remedy_sought": "refund of the tiling stage",
            "escrow_id": flow.escrow_id,
            "escrow_dispute": 1,
        }
        filed, outcome = await self._run_case(
            case, claim, kind, secrets, {"case_refund": 0, "case_split": 150_000}
        )
        self._complaint(
            case.case_id, flow.contractor.id, "consumer", filed, outcome, f"renovation/{specialty}"
        )

    async def car_case(self, index: int, kind: str) -> None:
        buyer, secrets = await self.consumer("buyer")
        dealer = self.dealers[index % len(self.dealers)]
        specialty = CAR_SPECIALTIES[index % 2]
        case = self.case_session(buyer, dealer)
        claim = {
            "domain": "car",
            "main_specialty": specialty,
            "items": [
                {"item_id": "fault", "description": f"{specialty} fault on the car of {secrets['name']}"}
            ],
            "disputed_fen": 300_000,  # below the small-claim threshold: one expert decides
            "remedy_sought": "replace the car",
        }
        filed, outcome = await self._run_case(case, claim, kind, secrets, {})
        self._complaint(case.case_id, dealer.id, "consumer", filed, outcome, f"car/{specialty}")

    async def _run_case(
        self,
        case: CaseSession,
        claim: dict[str, Any],
        kind: str,
        secrets: dict[str, str],
        pay: dict[str, int],
    ) -> tuple[datetime, str]:
        """File and drive a case; (when it was filed on its own clock, the outcome the test expects)."""
        await case.file(claim)
        filed = await case.clock(case.case_id)
        car = claim["domain"] == "car"
        if kind == "case_rejected":
            await case.reject("outside the council's remit")
            return filed, "rejected"
        await case.accept()
        if kind == "case_settled":
            terms = (0, 0, "repair") if car else (200_000, DISPUTED - 200_000, "-")
            await case.sign_settlement(case.claimant, *terms)
            await case.sign_settlement(case.respondent, *terms)
            await case.until("enforcement")
            return filed, "settled"
        await self.forward(case, 15)
        state = await case.until("panel")
        expert_id = case.seats(state)[0]
        await case.declare(expert_id)
        await self.forward(case, 2)
        await case.until("evidence")
        await self.forward(case, 14)
        await case.until("voting")
        item = claim["items"][0]["item_id"]
        told = f"{secrets['name']} (tel {secrets['phone']}) showed the panel round {secrets['address']}"
        opinion = {
            "findings": {item: "rejected" if kind in ("case_business", "case_none") else "upheld"},
            "pay_fen": None if car else pay.get(kind, DISPUTED),
            "reasons": f"Measured on site. {told}.",
        }
        await case.commit_vote(expert_id, opinion)
        await case.reveal_vote(expert_id)
        await case.until("summary")
        winner = "the business" if kind in ("case_business", "case_none") else "the consumer"
        summary = f"The panel finds for {winner}; {told}."
        if car:
            decided = {"remedy": "none" if kind == "case_none" else "repair"}
        else:
            decided = {"outcome": "refund" if kind == "case_refund" else "split"}
        await case.summarise(summary, **decided)
        decision_hash = (await case.state()).rounds[-1].decision_hash
        await case.sign_decision(expert_id, decision_hash)
        await case.countersign(decision_hash)
        await self.forward(case, 16)
        await case.until("enforcement")
        self.ledger.decisions.append(case.case_id)
        if kind in ("case_business", "case_none"):
            return filed, "for_business"
        return filed, "split" if kind == "case_split" else "for_consumer"

    # ----------------------------------------------------------------- all
    async def build(
        self, engine, *, concurrency: int = 16, progress: Callable[[str], None] = print
    ) -> Ledger:
        await self.setup(engine)
        gate = asyncio.Semaphore(concurrency)
        done = 0

        async def limited(work: Awaitable[None]) -> None:
            nonlocal done
            async with gate:
                await work
            done += 1
            if done % 50 == 0:
                progress(f"history: {done} escrows and cases driven")

        jobs = [self.escrow(i, *plan) for i, plan in enumerate(self.plan())]
        car_kinds = [kind for kind, count in CAR_KINDS.items() for _ in range(count)]
        jobs += [self.car_case(i, kind) for i, kind in enumerate(car_kinds)]
        await asyncio.gather(*(limited(job) for job in jobs))
        return self.ledger
