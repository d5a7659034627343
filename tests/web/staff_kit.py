"""Shared by the staff page tests: reading a page as a party, and a case brought to its vote.

Pages are read over real HTTP from the `stack` fixture's API with the party's session
cookie, exactly what the browser sends after signing in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from sqlmodel import Session

from cli.dispute_demo import RENOVATION_POOL, RENOVATION_TIES, WINDOWS, CaseClocks, DisputeDemo
from client.case_session import CaseSession, set_affiliations
from client.escrow_session import eventually
from client.party import Party
from db import cases, crud
from tests.conftest import Stack
from tests.flow import EscrowFlow
from web.session import SESSION_COOKIE

TOTAL_FEN = 20_000_000


async def page(stack: Stack, path: str, party: Party | None = None, **params) -> httpx.Response:
    """GET a page as the party (its session cookie) or anonymously, without following redirects."""
    headers = {"Cookie": f"{SESSION_COOKIE}={party.token}"} if party else {}
    return await stack.http.get(path, params=params, headers=headers, follow_redirects=False)


async def read_model_shows(stack: Stack, subject_id: str, phase: str) -> None:
    """Wait until the read model holds the case or escrow in this phase: list pages read it."""

    async def stored_phase() -> str | None:
        with Session(stack.engine) as session:
            if subject_id.startswith("CASE-"):
                row = cases.get_case_projection(session=session, case_id=subject_id)
                return row.phase if row else None
            escrow = crud.get_escrow_projection(session=session, escrow_id=subject_id)
            return escrow.status if escrow else None

    await eventually(
        stored_phase, lambda seen: seen == phase, f"{subject_id} in {phase} in the read model", 20.0
    )


POOL: dict[str, tuple[str, Party]] = {}  # spec label -> expert id and party (with its token)


async def expert_pool(stack: Stack, council: Party, respondent: Party) -> dict[str, Party]:
    """The demo's renovation experts, enrolled once per session, tied to this case's respondent.

    Enrolled here rather than through the demo's keystore because the page tests sign in as
    the experts, which needs the reading token each got when it registered.
    """
    today = date.today()
    for spec in RENOVATION_POOL:
        if spec.label not in POOL:
            party = await Party(stack.http, "expert", spec.name).register()
            body = {"name": spec.name, "domain": spec.domain, "specialties": list(spec.specialties)}
            created = await stack.http.post(
                "/experts", json=body | {"party_id": party.id}, headers=council.auth
            )
            POOL[spec.label] = (created.json()["expert_id"], party)
        expert_id, _ = POOL[spec.label]
        tie = RENOVATION_TIES.get(spec.label)
        await set_affiliations(
            stack.http, council, expert_id, [tie.affiliation(respondent.id, today)] if tie else []
        )
    return dict(POOL.values())


@dataclass
class DisputedEscrow:
    flow: EscrowFlow
    case: CaseSession
    demo: DisputeDemo
    disputed_fen: int


async def filed_case(stack: Stack) -> DisputedEscrow:
    """A funded escrow whose owner disputes stage 1 and files a case: waiting for the council."""
    flow = await EscrowFlow(stack).register()
    created = await flow.create_funded(total_fen=TOTAL_FEN)
    await flow.request_inspection(1)
    dispute = await flow.raise_dispute(flow.owner, [1], "the bathroom floor leaks")
    disputed = created["terms"]["stages"][0]["amount_fen"]
    demo = DisputeDemo(stack.settings, stack.http, CaseClocks(stack.temporal))
    experts = await expert_pool(stack, flow.council, flow.contractor)
    case = CaseSession(
        stack.http,
        claimant=flow.owner,
        respondent=flow.contractor,
        council=flow.council,
        experts=experts,
        clock=demo.clocks.now,
    )
    await case.file(
        {
            "domain": "renovation",
            "main_specialty": "waterproofing",
            "items": [
                {"item_id": "leak", "description": "卫生间地面闭水试验渗漏"},
                {"item_id": "pipe-joint", "description": "热水管接头渗水"},
            ],
            "disputed_fen": disputed,
            "remedy_sought": "refund of the stage",
            "evidence": ["sha256:flood-test-video"],
            "escrow_id": flow.escrow_id,
            "escrow_dispute": dispute,
        }
    )
    return DisputedEscrow(flow, case, demo, disputed)


async def case_in_voting(stack: Stack) -> DisputedEscrow:
    """A filed case taken through acceptance, answer, negotiation, panel and evidence to its vote."""
    disputed = await filed_case(stack)
    case, demo = disputed.case, disputed.demo
    await case.accept()
    await case.answer("sha256:contractor-answer")
    await demo.negotiate_in_vain(case)
    await demo.form_panel(case)
    await case.submit_evidence(disputed.flow.owner, ["sha256:moisture-readings"])
    await demo.skip(case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close")
    await case.until("voting")
    return disputed


async def seats_of_ours(
    case: CaseSession, clocks: CaseClocks, ours: Callable[[str, dict], bool]
) -> list[str]:
    """The current panel's seats `ours(expert_id, seat)` picks, once a draw gives it any.

    The registry is the whole test session's: other tests enrol experts whose keys only
    they hold, and a draw may seat only those. Their seats pass to alternates when their
    declaration time runs out, as any silent expert's do; a draw with nobody eligible
    is made afresh a day later.
    """
    before: list[str] = []
    for _ in range(10):
        state = await case.wait_for(
            lambda s, seen=before: s["phase"] == "draw" or (s["phase"] == "panel" and case.seats(s) != seen),
            f"a new panel for {case.case_id}",
        )
        if state["phase"] == "draw":
            await clocks.fast_forward(case.case_id, 1)
            before = []
            continue
        before = case.seats(state)
        seats = state["rounds"][-1]["seats"]
        if mine := [expert_id for expert_id in before if ours(expert_id, seats[expert_id])]:
            return mine
        await clocks.fast_forward(case.case_id, WINDOWS.declaration_days)
    raise AssertionError("no seat went to an expert whose key the tests hold")


def shanghai(moment) -> str:
    """How the pages print a UTC moment before the browser rewrites it: Asia/Shanghai, minutes."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
