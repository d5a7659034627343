"""`escrow demo --dispute` and `escrow demo --car`: an expert-panel dispute, start to finish, over HTTP.

`--dispute`: a funded renovation escrow whose owner disputes the first stage; the
owner files a case for that escrow dispute, a panel is drawn from the council's
registry, votes by commit and reveal, the council countersigns, and after the
objection window the escrow pays the panel's split through the bank. Every file the
parties attach (generated photos, one with GPS in it, and PDFs: cli/demo_files.py) is
uploaded before the step naming it is signed. The demo ends with the panel's case file as
its chair reads it over HTTP (cli/case_file.py) and the ledger next to the bank's balance,
and fails if the chair cannot read a file or its thumbnail, sees a location, or the ledger
and the bank disagree.

`--car`: a buyer's case against a dealer over a transmission that fails five days
after delivery; the panel is shown the statutory remedy, decides
`refund_or_replace`, and the dealer confirms the buyer's replacement.

Every party signs locally, as in `escrow demo`. The case windows are days long, so
the demo fast-forwards ONLY the case workflow's virtual clock through Temporal's
time skipping (the dev server runs with frontend.WorkflowTimeSkippingEnabled=true);
case steps are signed at that virtual time, escrow steps at the escrow's own
(real) time. The expert pool is enrolled once and its keys kept in
DATA_DIR/demo-experts.json, a demo convenience (see client/case_session.py).
"""

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any, NoReturn

import httpx
from rich.table import Table
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import TimeSkipper

from cli.case_file import located_originals, print_case_file, read_case_file
from cli.demo import Narrator, StackMissing, console, fail, in_words, report_ledger, require_stack
from cli.demo_files import ceiling_stain_photo, dashboard_photo, floor_drain_photo, pdf_document
from client.businesses import enrol_verified
from client.case_session import CaseSession, ExpertKeystore, ExpertSpec, enrol_expert_pool, set_affiliations
from client.escrow_session import EscrowSession
from client.party import Party, StepRefused
from config.settings import Settings
from domain.calendar import SHANGHAI
from domain.case.machine import CaseStateError, present
from domain.case.outcomes import DecidedOutcome
from domain.case.snapshot import CaseSnapshot
from domain.case.terms import CAR, RENOVATION, CaseWindows
from domain.money import yuan
from expert_panels.draw import draw_record_from_document, verify_draw
from expert_panels.registry import expert_from_document
from expert_panels.votes import Decision, Opinion, aggregate
from sandbox_bank.client import BankError
from workflows.case_types import case_workflow_id
from workflows.connection import connect_temporal

TOTAL_FEN = 20_000_000  # the renovation contract, ¥200,000
CAR_PRICE_FEN = 18_980_000  # ¥189,800
KEYSTORE_NAME = "demo-experts.json"
WINDOWS = CaseWindows()

RENOVATION_POOL = [
    ExpertSpec("R01", "Zhang Wei", RENOVATION, ("waterproofing", "plumbing")),
    ExpertSpec("R02", "Chen Jing", RENOVATION, ("waterproofing",)),
    ExpertSpec("R03", "Wang Fang", RENOVATION, ("waterproofing", "structure")),
    ExpertSpec("R04", "Liu Yang", RENOVATION, ("plumbing", "electrical")),
    ExpertSpec("R05", "Huang Min", RENOVATION, ("carpentry", "painting")),
    ExpertSpec("R06", "Zhou Lei", RENOVATION, ("waterproofing", "painting")),
    ExpertSpec("R07", "Wu Qiang", RENOVATION, ("plumbing", "structure")),
    ExpertSpec("R08", "Xu Li", RENOVATION, ("waterproofing", "plumbing")),
]
CAR_POOL = [
    ExpertSpec("C01", "Sun Hao", CAR, ("transmission", "engine")),
    ExpertSpec("C02", "Ma Lin", CAR, ("transmission",)),
    ExpertSpec("C03", "Guo Qiang", CAR, ("transmission", "electrical")),
    ExpertSpec("C04", "He Yu", CAR, ("engine",)),
    ExpertSpec("C05", "Luo Jun", CAR, ("ev_battery_motor", "electrical")),
    ExpertSpec("C06", "Lin Tao", CAR, ("body",)),
    ExpertSpec("C07", "Zheng Bo", CAR, ("transmission",)),
    ExpertSpec("C08", "Tang Wen", CAR, ("engine", "transmission")),
]


@dataclass(frozen=True)
class Tie:
    """A tie of a pool expert to the respondent, recorded by the council for each run."""

    kind: str  # employed | paid
    start_days_ago: int
    end_days_ago: int | None
    what: str

    def affiliation(self, org_id: str, today: date) -> dict[str, Any]:
        end = None if self.end_days_ago is None else (today - timedelta(days=self.end_days_ago)).isoformat()
        start = (today - timedelta(days=self.start_days_ago)).isoformat()
        return {"org_id": org_id, "kind": self.kind, "start": start, "end": end}


# label -> tie to this run's respondent (the contractor or the dealer)
RENOVATION_TIES = {
    "R06": Tie("paid", 400, 200, "was paid by it for a site survey last year"),
    "R08": Tie("employed", 700, None, "is employed by it"),
    "R07": Tie(
        "employed", 8 * 365, 5 * 365, "worked for it until five years ago (outside the 3-year window)"
    ),
}
CAR_TIES = {
    "C07": Tie("paid", 300, 100, "was paid by it for warranty assessments this year"),
    "C08": Tie("employed", 600, None, "is employed by it as a workshop manager"),
}


class CaseClocks:
    """The demo's hand on time: one case's virtual clock, read and fast-forwarded through Temporal."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.skipper = TimeSkipper(client)

    def _handle(self, case_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(case_workflow_id(case_id))

    async def now(self, case_id: str) -> datetime:
        return await self.skipper.get_current_time(self._handle(case_id))

    async def fast_forward(self, case_id: str, days: int) -> None:
        await self.skipper.fast_forward(self._handle(case_id), timedelta(days=days))


class DisputeDemo:
    """What both demos share: the expert pool, fast-forwards, the draw, the vote and the decision."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, clocks: CaseClocks) -> None:
        self.settings = settings
        self.http = http
        self.clocks = clocks
        self.say = Narrator().say
        self.days = 0  # virtual days fast-forwarded on this case

    async def expert_pool(
        self, council: Party, specs: list[ExpertSpec], respondent: Party, ties: dict[str, Tie]
    ) -> dict[str, Party]:
        path = self.settings.data_dir / KEYSTORE_NAME
        pool = await enrol_expert_pool(self.http, council, ExpertKeystore.load(path), specs)
        new = sum(p.enrolled_now for p in pool)
        domain = specs[0].domain
        how = f"{new} enrolled now" if new else "all reused"
        self.say(
            f"the council's registry holds the demo's {len(pool)} {domain} experts ({how}; "
            f"their keys are kept in {path}, a demo convenience only)"
        )
        today = date.today()
        noted = []
        for member in pool:
            tie = ties.get(member.spec.label)
            affiliations = [tie.affiliation(respondent.id, today)] if tie else []
            await set_affiliations(self.http, council, member.expert_id, affiliations)
            if tie:
                noted.append(f"{member.spec.name} ({member.expert_id}) {tie.what}")
        self.say(f"the council records each tie to {respondent.name} {respondent.id}: " + "; ".join(noted))
        return {member.expert_id: member.party for member in pool}

    async def skip(self, case: CaseSession, days: int, why: str) -> None:
        await self.clocks.fast_forward(case.case_id, days)
        self.days += days
        plural = "day passes" if days == 1 else "days pass"
        self.say(f"⏩ {days} {plural} (the demo fast-forwards this case's clock; day {self.days}): {why}")

    async def negotiate_in_vain(self, case: CaseSession) -> None:
        await self.skip(
            case, WINDOWS.negotiation_days, "the negotiation window closes without a signed settlement"
        )

    # ---------------------------------------------------------------- panel
    async def form_panel(self, case: CaseSession) -> CaseSnapshot:
        """Seat a panel of experts whose keys the demo holds, then let the strike window close.

        A registry shared with others may hold experts outside the demo's pool; the demo
        cannot sign for them, so their seats pass to alternates when their 2-day
        declaration time runs out, exactly as for any expert who stays silent.
        """
        shown: set[tuple[str, tuple[str, ...]]] = set()
        handled = _unfillable(await case.state())
        for _ in range(10):
            state = await case.wait_for(
                partial(_panel_or_new_redraw, seen=handled), f"a panel for {case.case_id}"
            )
            handled = _unfillable(state)
            if state.phase == "draw":  # nobody eligible left for a seat: the council redraws a day later
                await self.skip(case, 1, "no alternate could take the seat: the panel is drawn afresh")
                continue
            if state.phase == "evidence":
                return state
            await self.show_draw(case, shown)
            current = present(state.current_round, "the panel's round")
            seats = case.seats(state)
            outsiders = [s for s in seats if s not in case.experts]
            signed = []
            for expert_id in seats:
                if expert_id in case.experts and not current.seats[expert_id].declared:
                    await case.declare(expert_id)
                    signed.append(expert_id)
            if signed:
                self.say(
                    f"{_names(signed)} {_verb(signed, 'signs', 'each sign')} a declaration of independence"
                )
            if outsiders:
                self.say(
                    f"{_names(outsiders)} {_verb(outsiders, 'is', 'are')} not in this demo's pool and will "
                    "not declare: a seat passes to an alternate when its declaration time runs out"
                )
                await self.skip(case, WINDOWS.declaration_days, "the undeclared seats time out")
                continue
            if (await case.state()).phase == "panel":
                await self.skip(case, WINDOWS.strike_days, "the strike window closes: neither party strikes")
            return await case.until("evidence")
        raise TimeoutError(f"{case.case_id}: no panel of the demo's experts could be formed")

    async def show_draw(self, case: CaseSession, shown: set[tuple[str, tuple[str, ...]]]) -> None:
        entry = (await case.draws())[-1]
        record = draw_record_from_document(entry["draw"])
        if (record.seed, record.panel) in shown:
            return
        shown.add((record.seed, record.panel))
        candidates = {e["expert_id"]: expert_from_document(e) for e in entry["candidates"]}
        request = record.request
        title = (
            f"panel for {case.case_id}: {request.panel_size} seats, at least {request.quota} in "
            f"{request.main_specialty}; seed {record.seed}"
        )
        table = Table(title=title, title_justify="left")
        for column in ("", "expert", "name", "specialties", "why"):
            table.add_column(column)

        def row(label: str, expert_id: str, why: str = "") -> None:
            expert = candidates[expert_id]
            table.add_row(label, expert_id, expert.name, ", ".join(expert.specialties), why)

        for expert_id in record.panel:
            row("chair" if expert_id == record.chair else "member", expert_id)
        for expert_id in record.alternates:
            row("alternate", expert_id)
        for expert_id, reason in record.exclusions.items():
            row("excluded", expert_id, reason)
        for change in record.replacements:
            row("left", change.leaving_id, f"{change.reason}: seat passed to {change.replacement_id}")
        drawn = len(record.panel) + len(record.alternates) + len(record.exclusions)
        if len(record.candidate_ids) > drawn:
            table.caption = f"{len(record.candidate_ids) - drawn} more eligible candidate(s), not drawn"
        console.print(table)
        problems = verify_draw(record, list(candidates.values()))
        verdict = "re-runs to the same panel" if not problems else f"DOES NOT re-run: {problems}"
        self.say(
            f"the draw of {len(record.candidate_ids)} candidates from the recorded seed {verdict} "
            f"(`escrow verify-draw {case.case_id}` checks it too)"
        )

    # --------------------------------------------------------- vote, decide
    async def vote(self, case: CaseSession, opinions: list[dict[str, Any]]) -> CaseSnapshot:
        """Every member commits to a hashed opinion, then all reveal: nobody anchors on another."""
        state = await case.until("voting")
        seats = case.seats(state)
        by_seat = dict(zip(seats, opinions, strict=True))
        for expert_id, opinion in by_seat.items():
            hashed = await case.commit_vote(expert_id, opinion)
            self.say(f"{expert_id} commits to sha256 {hashed[:16]}… (opinion and salt stay secret)")
        for expert_id in seats:
            await case.reveal_vote(expert_id)
        state = await case.until("summary")
        table = Table(title="the panel's revealed opinions", title_justify="left")
        table.add_column("expert")
        items = [item.item_id for item in state.items]
        for item in items:
            table.add_column(item)
        table.add_column("proposed pay", justify="right")
        table.add_column("reasons")
        for expert_id, opinion in by_seat.items():
            pay = opinion.get("pay_fen")
            findings = [opinion["findings"][i] for i in items]
            table.add_row(expert_id, *findings, "-" if pay is None else yuan(pay), opinion["reasons"])
        console.print(table)
        return state

    def median(self, state: CaseSnapshot, opinions: list[dict[str, Any]]) -> Decision:
        seats = CaseSession.seats(state)
        return aggregate(
            {e: Opinion(**o) for e, o in zip(seats, opinions, strict=True)},
            state.disputed_fen,
            CaseSession.chair(state),
        )

    async def sign_and_countersign(self, case: CaseSession, dissent: dict[str, str]) -> str:
        state = await case.until("signing")
        current = present(state.current_round, "the panel's round")
        decision_hash = present(current.decision_hash, "the panel's decision")
        for expert_id in case.seats(state):
            await case.sign_decision(expert_id, decision_hash, dissent.get(expert_id))
        noted = "".join(f"; {e} records dissent: “{why}”" for e, why in dissent.items())
        self.say(f"every panel member signs decision {decision_hash[:16]}…{noted}")
        await case.countersign(decision_hash)
        self.say("the council countersigns: the 15-day objection window opens")
        await self.skip(case, WINDOWS.objection_days, "nobody objects, so there is no appeal")
        await case.until("enforcement")
        return decision_hash


# ==================================================================== renovation
# Files named by more than one step: uploaded again each time (the store answers the first
# upload's record at once) and signed over by the same digest.
@cache
def leaking_drain() -> bytes:
    return floor_drain_photo("bathroom floor drain: water stands after the flood test", gps=True)


@cache
def diagnostic_printout() -> bytes:
    return pdf_document("Dealer diagnostic printout", ["P0731 gear 1 incorrect ratio"])


async def drive_dispute_demo(settings: Settings, api_url: str) -> tuple[int, str, str]:
    """Exit status, escrow id and case id: 0 when the split is paid and the ledger balances."""
    async with contextlib.AsyncExitStack() as scope:
        http = await scope.enter_async_context(httpx.AsyncClient(base_url=api_url, timeout=30))
        await require_stack(http, api_url)
        demo = DisputeDemo(settings, http, await case_clocks(settings))
        say = demo.say
        flow = await EscrowSession(http).register(settings.council_enrolment_secret.get_secret_value())
        owner, contractor, council = flow.owner, flow.contractor, flow.council
        say(
            f"registered owner {owner.id}, contractor {contractor.id}, inspector {flow.inspector.id}, "
            f"council {council.id}"
        )
        created = await flow.create(total_fen=TOTAL_FEN)
        bank = await scope.enter_async_context(flow.bank_from_api(settings.bank_timeout_seconds))
        await flow.sign_contract()
        await flow.deposit(TOTAL_FEN)
        stage = created["terms"]["stages"][0]
        say(f"escrow {flow.escrow_id} signed and funded with {yuan(TOTAL_FEN)}")
        await flow.request_inspection(
            1, [floor_drain_photo("stage 1: floor drain and membrane, before tiling")]
        )
        say(
            f"the contractor uploads a photo of the floor drain and asks for stage 1 ({stage['name']}, "
            f"{yuan(stage['amount_fen'])}) to be inspected"
        )
        dispute = await flow.raise_dispute(owner, [1], "the bathroom floor leaks into the flat below")
        say(
            f"the owner raises dispute {dispute} in the escrow: "
            f"stage 1's {yuan(stage['amount_fen'])} is frozen"
        )

        experts = await demo.expert_pool(council, RENOVATION_POOL, contractor, RENOVATION_TIES)
        case = CaseSession(
            http,
            claimant=owner,
            respondent=contractor,
            council=council,
            experts=experts,
            clock=demo.clocks.now,
        )
        disputed = stage["amount_fen"]
        claim = {
            "domain": RENOVATION,
            "main_specialty": "waterproofing",
            "items": [
                {"item_id": "leak", "description": "bathroom floor fails the 48-hour flood test"},
                {"item_id": "pipe-joint", "description": "hot-water pipe joint under the sink weeps"},
            ],
            "disputed_fen": disputed,
            "remedy_sought": "refund of the stage, or a reduction for the defects",
            "escrow_id": flow.escrow_id,
            "escrow_dispute": dispute,
        }
        await case.file(claim, [leaking_drain(), ceiling_stain_photo("the ceiling of the flat below")])
        say(
            f"the owner uploads two photos (the leaking floor drain, taken on site with GPS in it; the "
            f"ceiling below) and files {case.case_id} for escrow dispute {dispute} ({yuan(disputed)}), "
            f"signed claim {case.claim_hash[:16]}… naming them"
        )
        await case.accept("within the council's remit: a renovation stage under escrow")
        say("the council accepts the case")
        await case.answer(
            "The membrane was laid to standard and passed its own flood test; the leak is at a joint "
            "the owner's plumber moved.",
            [
                pdf_document(
                    "Invoice: waterproofing membrane", ["JS-2 membrane, 2 coats, 18 m2", "laid 3 May"]
                )
            ],
        )
        say(
            "the contractor answers, uploading the membrane's invoice (a PDF): the membrane was laid "
            "to standard; the negotiation window opens"
        )
        await demo.negotiate_in_vain(case)
        await demo.form_panel(case)
        say("the panel is formed: 7 days for evidence and 7 more for replies")

        await case.submit_evidence(
            owner,
            [
                pdf_document("Moisture readings", ["wall, 10 cm: 28 %", "floor at the drain: 41 %"]),
                leaking_drain(),
            ],
            note="moisture readings under the shower tray, and the flood test again",
        )
        await case.submit_evidence(
            contractor,
            [pdf_document("Pressure-test log", ["hot-water line 0.6 MPa for 30 min: no drop"])],
            reply=True,
            note="the pressure test held",
        )
        say(
            "the owner submits moisture readings (a PDF) and the drain photo again; the contractor "
            "replies with its pressure-test log (a PDF)"
        )
        chair = case.chair(await case.state())
        report = "sha256:joint-site-inspection-report"
        for party in (owner, contractor, case.expert(chair)):
            await case.sign_inspection(party, report)
        say(f"owner, contractor and the chair {chair} sign the joint site-inspection report")
        await demo.skip(
            case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close: voting"
        )

        opinions = [
            _renovation_opinion(
                "upheld", disputed * 50 // 100, "membrane stops short of the wall; joint weeps"
            ),
            _renovation_opinion("rejected", disputed * 60 // 100, "joint held at 0.6 MPa in my own test"),
            _renovation_opinion("upheld", disputed * 70 // 100, "leak is the membrane; pipe is a small fix"),
        ]
        state = await demo.vote(case, opinions)
        decision = demo.median(state, opinions)
        pay_fen = present(decision.pay_fen, "the panel's money split")
        refund_fen = present(decision.refund_fen, "the panel's money split")
        say(
            f"the money split is the median proposal: {yuan(pay_fen)} to the contractor, "
            f"{yuan(refund_fen)} back to the owner"
        )
        summary = (
            "The floor leaks because the waterproofing membrane was not carried up the wall; that is "
            "the contractor's work. The pipe joint needs a small repair. The contractor is paid "
            f"{yuan(pay_fen)} of the {yuan(disputed)} for this stage and the owner gets "
            f"{yuan(refund_fen)} back."
        )
        await case.summarise(summary, outcome="split")
        say(f"the chair {case.chair(state)} writes the plain-language summary: “{summary}”")
        dissenter = case.seats(state)[1]
        await demo.sign_and_countersign(case, {dissenter: "the pipe joint is not defective"})

        state = await case.state()
        outcome = state.outcome
        if not isinstance(outcome, DecidedOutcome):
            raise CaseStateError(f"{case.case_id} has no panel decision to enforce: {outcome}")
        escrow_step = council.sign(
            "dispute.decide",
            flow.escrow_id,
            {
                "dispute": dispute,
                "outcome": outcome.outcome,
                "pay_fen": outcome.pay_fen,
                "refund_fen": outcome.refund_fen,
                "reasons": summary,
                "decision_hash": outcome.decision_hash,
            },
            await flow.clock(),  # the escrow's own time: only the case's clock was fast-forwarded
        )
        await case.submit_enforcement(escrow_step)
        say(
            "the council signs the escrow's dispute.decide on the escrow's clock "
            f"and hands it to {case.case_id}"
        )
        await case.until("closed")
        await flow.wait_for(lambda s: s.disputes[dispute - 1].status == "decided", "the decision")
        escrow = await flow.settled()
        for entry in await bank.statement(flow.escrow_id):
            key = entry.idempotency_key.removeprefix(f"{flow.escrow_id}:")
            if key.startswith(f"dispute-{dispute}:"):
                say(f"the bank books {entry.kind} {yuan(entry.amount_fen)} under key {entry.idempotency_key}")
        say(f"{case.case_id} is closed; the escrow paid the panel's split")
        files_ok = await show_case_file(demo, case.case_id, chair, case.expert(chair), [owner, contractor])
        balanced = await report_ledger(flow, bank, escrow)
        return balanced or int(not files_ok), flow.escrow_id, case.case_id


async def show_case_file(
    demo: DisputeDemo, case_id: str, chair: str, expert: Party, parties: list[Party]
) -> bool:
    """Print the panel's case file as the chair reads it over HTTP; whether the chair could read
    every file and thumbnail, with no location left in any photo."""
    rows = await read_case_file(demo.http, case_id, expert)
    names = {party.id: party.role for party in parties}
    print_case_file(console, f"the case file of {case_id}, as the chair {chair} reads it", rows, names)
    for digest in await located_originals(demo.http, rows, parties):
        demo.say(
            f"the uploader's own copy of photo {digest[7:15]}… carries the GPS position it was taken "
            "at; the copy every other reader gets (the chair's above) has it stripped"
        )
    unread = [row.digest for row in rows if not row.readable or row.thumbnail is False or row.location]
    if unread:
        console.print(f"[red]the chair could not read, or saw a location in: {', '.join(unread)}[/red]")
    return not unread


def _names(ids: list[str]) -> str:
    return ", ".join(ids)


def _verb(ids: list[str], one: str, many: str) -> str:
    return one if len(ids) == 1 else many


def _unfillable(state: CaseSnapshot) -> int:
    return sum(alert.kind == "panel_unfillable" for alert in state.alerts)


def _panel_or_new_redraw(state: CaseSnapshot, *, seen: int) -> bool:
    """A panel is seated (or already past it), or a redraw is due that came after the `seen` ones."""
    return state.phase in ("panel", "evidence") or (state.phase == "draw" and _unfillable(state) > seen)


def _shanghai_date(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def _renovation_opinion(pipe: str, pay_fen: int, reasons: str) -> dict[str, Any]:
    return {"findings": {"leak": "upheld", "pipe-joint": pipe}, "pay_fen": pay_fen, "reasons": reasons}


# =========================================================================== car
async def drive_car_demo(settings: Settings, api_url: str) -> tuple[int, str]:
    """Exit status and case id: 0 when the dealer has confirmed the decided remedy in time."""
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        await require_stack(http, api_url)
        demo = DisputeDemo(settings, http, await case_clocks(settings))
        say = demo.say
        buyer = await Party(http, "buyer", "Zhao Min (car buyer)").register()
        council = await Party(http, "council", "Guilin Consumer Council").register(
            enrolment_secret=settings.council_enrolment_secret.get_secret_value()
        )
        dealer = await enrol_verified(Party(http, "dealer", "Guilin Lijiang Auto Sales Co."), council)
        say(f"registered buyer {buyer.id}, dealer {dealer.id}, council {council.id}")
        today = datetime.now(SHANGHAI).date()
        facts = {
            "delivered_on": (today - timedelta(days=5)).isoformat(),
            "fault_on": today.isoformat(),
            "km": 412,
            "fault_part": "transmission",
            "needs_main_part_replacement": True,
            "main_part_fault": True,
        }

        experts = await demo.expert_pool(council, CAR_POOL, dealer, CAR_TIES)
        case = CaseSession(
            http, claimant=buyer, respondent=dealer, council=council, experts=experts, clock=demo.clocks.now
        )
        claim = {
            "domain": CAR,
            "main_specialty": "transmission",
            "items": [
                {
                    "item_id": "gearbox",
                    "description": "the gearbox slips between 2nd and 3rd and must be replaced",
                },
                {"item_id": "warning", "description": "transmission warning light on since day 3"},
            ],
            "disputed_fen": CAR_PRICE_FEN,
            "remedy_sought": "a replacement car (Art. 22)",
            "car_facts": facts,
        }
        await case.file(
            claim,
            [pdf_document("Purchase invoice", ["one household car, 189,800 yuan"]), diagnostic_printout()],
        )
        say(
            f"the buyer files {case.case_id} over a {yuan(CAR_PRICE_FEN)} car, "
            f"signed claim {case.claim_hash[:16]}…"
        )
        statutory = present((await case.state()).statutory_remedy, "the statutory remedy of a car claim")
        say(
            f"the claimed facts: delivered {facts['delivered_on']}, fault on {facts['fault_on']} at "
            f"{facts['km']} km, the transmission must be replaced; the case shows the panel the "
            f"statutory remedy {statutory['remedy']} ({statutory['article']}: {statutory['summary']}); "
            "further grounds: " + ", ".join(f"{g['rule']} → {g['remedy']}" for g in statutory["grounds"][1:])
        )
        await case.accept("a household car within the three-guarantee period")
        say("the council accepts the case")
        await case.answer(
            "The gearbox can be repaired under warranty; a replacement car is out of proportion.",
            [pdf_document("Workshop job card", ["gearbox: valve body to be repaired under warranty"])],
        )
        say("the dealer answers: it offers a repair; the negotiation window opens")
        await demo.negotiate_in_vain(case)
        await demo.form_panel(case)
        say("the panel is formed: 7 days for evidence and 7 more for replies")

        await case.submit_evidence(
            buyer, [dashboard_photo("transmission warning lit, day 3"), diagnostic_printout()]
        )
        await case.pause_clock("gearbox teardown at the maker's laboratory")
        say("the buyer submits evidence; the council pauses the clock for a gearbox teardown")
        await demo.skip(case, 5, "the teardown takes 5 days; the evidence windows stand still")
        await case.resume_clock("teardown report received")
        teardown = pdf_document("Gearbox teardown report", ["valve body defective", "clutch pack burnt"])
        await case.submit_evidence(dealer, [teardown], reply=True)
        say("the council restarts the clock; the dealer replies with the teardown report")
        await demo.skip(
            case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close: voting"
        )

        reasons = [
            f"clutch pack burnt; {statutory['rule']} applies",
            "teardown shows a defective valve body, a main part",
            "replacement needed within 7 days of delivery",
        ]
        opinions = [
            {"findings": {"gearbox": "upheld", "warning": "upheld"}, "pay_fen": None, "reasons": r}
            for r in reasons
        ]
        state = await demo.vote(case, opinions)
        summary = (
            "The transmission failed 5 days after delivery and must be replaced. Under Article 22 of the "
            "three-guarantee rules you may choose a replacement car or a refund, free of charge."
        )
        await case.summarise(summary, remedy=statutory["remedy"])
        say(f"the chair {case.chair(state)} confirms the statutory remedy: “{summary}”")
        await demo.sign_and_countersign(case, {})
        state = await case.state()
        if state.outcome is None:
            raise CaseStateError(f"{case.case_id} has no outcome after the decision was countersigned")
        remedy = state.outcome.remedy
        say(
            f"the decision binds: {remedy}; "
            f"the dealer must confirm it by {_shanghai_date(present(state.remedy_due, 'the remedy'))} "
            "(Asia/Shanghai)"
        )
        await case.confirm_remedy(remedy)
        state = await case.until("closed")
        confirmed = state.remedy_confirmed == statutory["remedy"] and not state.noncompliant
        say(
            f"the buyer chooses a replacement car; the dealer confirms {state.remedy_confirmed}: "
            f"{case.case_id} is closed"
        )
        if not confirmed:
            console.print(f"[red]car demo: the remedy was not confirmed: {state}[/red]")
            return 1, case.case_id
        console.print("[green]car demo: remedy confirmed by the dealer[/green]")
        return 0, case.case_id


# ======================================================================= running
async def case_clocks(settings: Settings) -> CaseClocks:
    """The hand on the case's clock: Temporal itself, whose address the API does not publish.

    No party needs the Temporal frontend, so the API keeps it to itself; the dispute demos
    are told it like any operator tool (ESCROW_TEMPORAL_ADDRESS, `escrow dev`'s by default).
    """
    try:
        return CaseClocks(await connect_temporal(settings))
    except RuntimeError as exc:
        raise StackMissing(
            "the dispute demos fast-forward a case's clock through Temporal, but none answers at "
            f"{settings.temporal_address} ({in_words(exc)}): "
            "set ESCROW_TEMPORAL_ADDRESS to the stack's Temporal"
        ) from exc


def run_dispute_demo(settings: Settings, api_url: str | None = None, *, car: bool = False) -> int:
    url = api_url or f"http://{settings.api_host}:{settings.api_port}"
    try:
        if car:
            return asyncio.run(drive_car_demo(settings, url))[0]
        return asyncio.run(drive_dispute_demo(settings, url))[0]
    except StackMissing as exc:
        return fail(str(exc))
    except StepRefused as exc:
        return fail(f"a step was refused: {exc}")
    except RPCError as exc:
        return fail(
            f"Temporal at {settings.temporal_address} refused: {exc} (the demo fast-forwards a case's clock: "
            "run the server with --dynamic-config-value frontend.WorkflowTimeSkippingEnabled=true, "
            "as `escrow dev` does)"
        )
    except BankError as exc:
        return fail(f"the bank named by the escrow's deposit instructions failed: {in_words(exc)}")
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, RuntimeError) as exc:
        return fail(f"could not complete the demo against {url}: {in_words(exc)}")


def exit_skipping_teardown(status: int) -> NoReturn:
    """Exit with `status` at once, skipping the interpreter's teardown.

    The Temporal client's Rust threads can outlive the event loop and abort the teardown
    (SIGABRT, "PyGILState_Release: thread state ... must be current"; temporalio/sdk-python
    issue 300): here about 1 run in 20 after a failed connect, which turned a clear exit 1
    into a crash dump.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
