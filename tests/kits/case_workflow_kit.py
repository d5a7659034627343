"""A dispute case run by its own workflow, its parties signing with their own keys, and its experts."""

from datetime import timedelta

from sqlmodel import Session

from client.escrow_session import eventually
from client.keys import PartyKey as SigningKey
from db import crud
from db.experts import create_expert, load_candidates
from domain.case.terms import CAR, RENOVATION, CaseTerms, ClaimItem
from domain.steps.files import file_hash
from domain.steps.parties import PartyKey
from expert_panels.draw import draw_record_from_document, verify_draw
from expert_panels.registry import expert_from_document
from expert_panels.votes import commitment
from tests.db.factories import TOKEN_LIFETIME
from tests.kits.dispute_kit import experts
from workflows.case import CaseWorkflow
from workflows.case_types import CaseInput, case_workflow_id
from workflows.escrow_types import StepInput

SALT = "pepper-and-salt-0123456789"


class Case:
    """The parties of one case signing with their own keys, the workflow's clock as their clock."""

    def __init__(self, stack, handle, keys: dict[str, tuple[str, SigningKey]]) -> None:
        self.stack, self.handle, self.keys = stack, handle, keys

    async def step(self, who: str, action: str, payload: dict, subject: str | None = None):
        party_id, key = self.keys[who]
        now = await self.stack.skipper.get_current_time(self.handle)
        signed = key.sign_step(
            action=action,
            subject=subject or self.handle.id.removeprefix("dispute-"),
            signer=party_id,
            payload=payload,
            now=now,
        )
        return await self.handle.execute_update(CaseWorkflow.submit_step, StepInput(signed))

    async def state(self) -> dict:
        return await self.handle.query(CaseWorkflow.snapshot)

    async def forward(self, days: int) -> None:
        await self.stack.skipper.fast_forward(self.handle, timedelta(days=days))

    async def until(self, phase: str) -> dict:
        return await eventually(self.state, lambda s: s.phase == phase, f"phase {phase}", 20)


def enrol_experts(engine, domain: str, count: int) -> dict[str, tuple[str, SigningKey]]:
    keys = {}
    with Session(engine) as session:
        for expert in experts(domain, count):
            key = SigningKey.generate()
            party, _ = crud.create_party(
                session=session,
                role="expert",
                display_name=expert.name,
                public_key=key.public_key_b64,
                token_lifetime=TOKEN_LIFETIME,
            )
            create_expert(session=session, expert=expert, party_id=party.id)
            keys[expert.expert_id] = (party.id, key)
    return keys


async def start_case(
    stack,
    registry,
    domain: str,
    *,
    council=None,
    respondent=None,
    expert_count: int = 10,
    case_id: str | None = None,
    **terms,
) -> Case:
    """A case on the registry's task queue, numbered for that queue unless `case_id` says otherwise."""
    engine, task_queue = registry
    keys = enrol_experts(engine, domain, expert_count)
    for name in ("claimant", "respondent", "council"):
        keys[name] = (f"P-{name.upper()}", SigningKey.generate())
    if council is not None:
        keys["council"] = (council[0], council[1])
    if respondent is not None:  # a business registered through the API, signing with its own key
        keys["respondent"] = (respondent[0], respondent[1])
    case_id = case_id or f"CASE-2026-{task_queue[-6:]}"
    case_terms = CaseTerms(
        case_id=case_id,
        domain=domain,
        main_specialty="waterproofing" if domain == RENOVATION else "engine",
        claimant=PartyKey(keys["claimant"][0], keys["claimant"][1].public_key_b64),
        respondent=PartyKey(keys["respondent"][0], keys["respondent"][1].public_key_b64),
        claimant_org="ORG-OWNER",
        respondent_org="ORG-CONTRACTOR",
        items=[ClaimItem("fault", "the fault complained of")],
        remedy_sought="refund",
        claim_hash="sha256:claim",
        **terms,
    )
    handle = await stack.temporal.start_workflow(
        CaseWorkflow.run,
        CaseInput(terms=case_terms, council_keys={keys["council"][0]: keys["council"][1].public_key_b64}),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    return Case(stack, handle, keys)


def open_cases(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {e.expert_id: e.open_cases for e in load_candidates(session=session, domain=CAR)}


async def decide(case: Case, proposals: list[int | None], *, accepted: bool = False, **summary) -> str:
    if not accepted:
        await case.step("council", "case.accept", {})
        await case.forward(5 + 10)  # silent respondent, then no settlement
    state = await case.until("panel")
    seats = list(state.rounds[-1].seats)
    for expert_id in seats:
        await case.step(expert_id, "declaration.sign", {"independent": True})
    await case.forward(2)
    await case.until("evidence")
    await case.step("claimant", "evidence.submit", {"evidence": [file_hash(b"teardown-report")]})
    await case.forward(14)
    await case.until("voting")
    opinions = {
        e: {"findings": {"fault": "upheld"}, "pay_fen": p, "reasons": "measured"}
        for e, p in zip(seats, proposals, strict=True)
    }
    for expert_id, opinion in opinions.items():
        await case.step(expert_id, "vote.commit", {"commitment": commitment(opinion, SALT)})
    for expert_id, opinion in opinions.items():
        await case.step(expert_id, "vote.reveal", {"opinion": opinion, "salt": SALT})
    state = await case.until("summary")
    record = draw_record_from_document(state.rounds[-1].draw)
    candidates = [expert_from_document(c) for c in state.rounds[-1].candidates]
    assert verify_draw(record, candidates) == []
    await case.step(record.chair, "decision.summarise", {"summary": "the engine fault is proven", **summary})
    decision_hash = (await case.state()).rounds[-1].decision_hash
    for expert_id in seats:
        await case.step(expert_id, "decision.sign", {"decision_hash": decision_hash})
    await case.step("council", "decision.countersign", {"decision_hash": decision_hash})
    await case.forward(15)
    return decision_hash
