"""Shared by the staff page tests: reading a page as a party, and a case brought to its vote.

Pages are read over real HTTP from the `stack` fixture's API with the party's session
cookie, exactly what the browser sends after signing in.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import httpx
from sqlmodel import Session

from cli.dispute_demo import RENOVATION_POOL, RENOVATION_TIES, WINDOWS, CaseClocks, DisputeDemo, Tie
from client.case_session import CaseSession, ExpertSpec, set_affiliations
from client.escrow_session import eventually
from client.party import Party
from db import cases, crud
from tests.conftest import Stack
from tests.kits.evidence_files import digest_of, pdf, png
from tests.kits.flow import EscrowFlow
from web.session import SESSION_COOKIE

TOTAL_FEN = 20_000_000


SESSIONS: dict[str, str] = {}  # party id -> the session token it signed in with, reused by later reads


async def session_cookie(party: Party) -> dict[str, str]:
    """The Cookie header of the party's browser session, opened by signing in (once per party)."""
    if party.id not in SESSIONS:
        SESSIONS[party.id] = await party.open_session()
    return {"Cookie": f"{SESSION_COOKIE}={SESSIONS[party.id]}"}


async def page(stack: Stack, path: str, party: Party | None = None, **params) -> httpx.Response:
    """GET a page as the party (its session cookie) or anonymously, without following redirects."""
    headers = await session_cookie(party) if party else {}
    return await stack.http.get(path, params=params, headers=headers, follow_redirects=False)


def part(text: str, start: str, end: str = "</section>") -> str:
    """The piece of a page from `start` to the next `end`, unescaped (it must be there)."""
    assert start in text, f"{start!r} is not on the page"
    return unescape(text.split(start, 1)[1].split(end, 1)[0])


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


# (council, expert id) to deactivate when the test ends, by the API they were enrolled at: a
# module with a stack of its own (the fuzz and hostile-input tests) leaves the session's alone.
ENROLLED: dict[str, list[tuple[Party, str]]] = {}


async def enrol_for_this_test(stack: Stack, council: Party, body: dict) -> str:
    """Register an expert that leaves the draws when the test ends (tests/web/conftest.py).

    Left active, every test's experts would crowd later tests' draws in the session's registry.
    """
    created = await stack.http.post("/experts", json=body, headers=council.auth)
    assert created.status_code == 201, created.text
    ENROLLED.setdefault(str(stack.http.base_url), []).append((council, created.json()["expert_id"]))
    return created.json()["expert_id"]


async def retire_enrolled(stack: Stack) -> None:
    enrolled = ENROLLED.pop(str(stack.http.base_url), [])
    while enrolled:
        council, expert_id = enrolled.pop()
        retired = await stack.http.post(f"/experts/{expert_id}/deactivation", headers=council.auth)
        retired.raise_for_status()


async def only_ours_eligible(
    stack: Stack, council: Party, respondent: Party, ours: set[str], domain: str = "renovation"
) -> None:
    """Make every expert of the domain outside `ours` ineligible for cases against this respondent.

    The registry is the whole test session's, and a test can sign only for the experts
    whose keys it holds. The council records that every other expert has been paid by
    this test's respondent, a conflict that keeps them off this case's draws and off no
    other test's case (each test has a respondent of its own).
    """
    conflict = {"org_id": respondent.id, "kind": "paid", "start": date.today().isoformat(), "end": None}
    offset = 0
    while True:
        listed = await stack.http.get(
            "/experts",
            params={"domain": domain, "active": "true", "limit": 200, "offset": offset},
            headers=council.auth,
        )
        listed.raise_for_status()
        experts = listed.json()["data"]
        for expert in experts:
            if expert["expert_id"] not in ours:
                await set_affiliations(
                    stack.http, council, expert["expert_id"], [*expert["affiliations"], conflict]
                )
        offset += len(experts)
        if not experts or offset >= listed.json()["count"]:
            return


async def expert_pool(
    stack: Stack,
    council: Party,
    respondent: Party,
    specs: list[ExpertSpec] = RENOVATION_POOL,
    ties: dict[str, Tie] = RENOVATION_TIES,
) -> dict[str, Party]:
    """The demo's experts of a domain (renovation unless `specs` say otherwise), enrolled afresh
    for this case and the only ones it can draw.

    Afresh, so no earlier test's open cases count against their workload cap; enrolled here
    rather than through the demo's keystore because the page tests sign in as the experts,
    which needs the reading token each got when it registered.
    """
    today = date.today()
    pool: dict[str, Party] = {}
    for spec in specs:
        party = await Party(stack.http, "expert", spec.name).register()
        tie = ties.get(spec.label)
        body = {
            "name": spec.name,
            "domain": spec.domain,
            "specialties": list(spec.specialties),
            "party_id": party.id,
            "affiliations": [tie.affiliation(respondent.id, today)] if tie else [],
        }
        pool[await enrol_for_this_test(stack, council, body)] = party
    await only_ours_eligible(stack, council, respondent, set(pool), specs[0].domain)
    return pool


# The files the kit's cases carry, the same bytes (and digests) in every test.
STAGE_PHOTO = png(label="photos of stage 1")
LEAK_PHOTO = png(label="flood-test photo")
MOISTURE_READINGS = pdf("moisture-readings")
STAGE_PHOTO_DIGEST, LEAK_PHOTO_DIGEST, MOISTURE_READINGS_DIGEST = (
    digest_of(data) for data in (STAGE_PHOTO, LEAK_PHOTO, MOISTURE_READINGS)
)


@dataclass
class DisputedEscrow:
    flow: EscrowFlow
    case: CaseSession
    demo: DisputeDemo
    disputed_fen: int


async def owner_against_contractor(stack: Stack, flow: EscrowFlow) -> tuple[DisputeDemo, CaseSession]:
    """A case session of the flow's owner against its contractor, with an expert pool to draw its
    panel from and the demo whose clocks move the case's time."""
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
    return demo, case


async def filed_case(
    stack: Stack, defects: list[dict] | None = None, stage_photos: list[bytes] | None = None
) -> DisputedEscrow:
    """A funded escrow whose owner disputes stage 1 and files a case: waiting for the council.

    The contractor's request for stage 1 carries `stage_photos` (`STAGE_PHOTO` unless given);
    with `defects`, the inspector first reports stage 1 failed with them."""
    flow = await EscrowFlow(stack).register()
    created = await flow.create_funded(total_fen=TOTAL_FEN)
    await flow.request_inspection(1, [STAGE_PHOTO] if stage_photos is None else stage_photos)
    if defects:
        await flow.report(1, "fail", defects)
    dispute = await flow.raise_dispute(flow.owner, [1], "the bathroom floor leaks")
    disputed = created["terms"]["stages"][0]["amount_fen"]
    demo, case = await owner_against_contractor(stack, flow)
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
            "escrow_id": flow.escrow_id,
            "escrow_dispute": dispute,
        },
        [LEAK_PHOTO],
    )
    return DisputedEscrow(flow, case, demo, disputed)


async def case_in_voting(stack: Stack) -> DisputedEscrow:
    """A filed case taken through acceptance, answer, negotiation, panel and evidence to its vote."""
    disputed = await filed_case(stack)
    case, demo = disputed.case, disputed.demo
    await case.accept()
    await case.answer("contractor-answer")
    await demo.negotiate_in_vain(case)
    await demo.form_panel(case)
    await case.submit_evidence(disputed.flow.owner, [MOISTURE_READINGS])
    await demo.skip(case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close")
    await case.until("voting")
    return disputed


async def decided(disputed: DisputedEscrow, pays_fen: tuple[int, int, int], summary: str) -> str:
    """A case in its vote taken to the objection window: the panel proposes these payments for
    the leak (upheld) and the joint (rejected), the chair summarises a split, every member signs,
    the council countersigns. Returns the decision's hash."""
    case = disputed.case
    opinions = [
        {"findings": {"leak": "upheld", "pipe-joint": "rejected"}, "pay_fen": pay, "reasons": "seen on site"}
        for pay in pays_fen
    ]
    await disputed.demo.vote(case, opinions)
    await case.summarise(summary, outcome="split")
    state = await case.until("signing")
    decision_hash = state.rounds[-1].decision_hash
    for expert_id in case.seats(state):
        await case.sign_decision(expert_id, decision_hash)
    await case.countersign(decision_hash)
    await case.until("objection")
    return decision_hash


async def drawn_panel(case: CaseSession) -> list[str]:
    """The seats of the case's first panel, once drawn (only experts the test holds are eligible)."""
    state = await case.until("panel")
    return case.seats(state)


def shanghai(moment) -> str:
    """How the pages print a UTC moment before the browser rewrites it: Asia/Shanghai, minutes."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
