"""Teaching every open escrow and case a party is in its new key events, without waiting for a step.

Every step carries its signer's key events (api/routes/steps.py), so a process learns a new
device when it first signs there. A revocation or a recovery cannot wait for that: until the
process learns it, a lost or stolen key still signs there. So after one is recorded
(db.keys.record_event) the API and the recovery workflow push the party's events with
`push_key_events` to each open process the read models list it in: as owner, contractor or
inspector of an escrow, claimant or respondent of a case, an expert seated on a case's panel,
and, for a council member, every open escrow and case (the council signs in any of them).

Best effort and repeatable: a process that holds the events already, or in which the party
turns out to have no part (a council member who joined after the escrow started), refuses the
update in its validator and nothing enters its history; one that closed meanwhile is passed by.
The next step of the party carries the events anyway.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from db.cases import FINISHED_PHASES
from db.keys import councils_for, events_of
from db.models import CaseProjection, EscrowProjection, ExpertRecord, PanelSeatRecord, Party
from domain.escrow.state import Phase
from domain.roles import Role
from workflows.case_types import case_workflow_id
from workflows.escrow_types import KeysInput, escrow_workflow_id

ESCROW_ENDED = (Phase.CLOSED.value, Phase.CANCELLED.value)


@dataclass
class KeyPushInput:
    party_id: str


@dataclass
class KeyPush:
    learned: list[str]  # the workflow ids that learned at least one new event


def open_processes(session: Session, party: Party) -> list[str]:
    """The workflow ids of every open escrow and case `party` may sign in, per the read models."""
    escrows = select(EscrowProjection.escrow_id).where(col(EscrowProjection.status).not_in(ESCROW_ENDED))
    cases = select(CaseProjection.case_id).where(col(CaseProjection.phase).not_in(FINISHED_PHASES))
    if party.role != Role.COUNCIL:
        escrows = escrows.where(
            or_(
                EscrowProjection.owner_id == party.id,
                EscrowProjection.contractor_id == party.id,
                EscrowProjection.inspector_id == party.id,
            )
        )
        seated = (
            select(PanelSeatRecord.case_id)
            .join(ExpertRecord, col(ExpertRecord.expert_id) == col(PanelSeatRecord.expert_id))
            .where(ExpertRecord.party_id == party.id, col(PanelSeatRecord.active))
        )
        cases = cases.where(
            or_(
                CaseProjection.claimant_id == party.id,
                CaseProjection.respondent_id == party.id,
                col(CaseProjection.case_id).in_(seated),
            )
        )
    return [escrow_workflow_id(i) for i in session.exec(escrows).all()] + [
        case_workflow_id(i) for i in session.exec(cases).all()
    ]


def _read(engine: Engine, party_id: str) -> tuple[KeysInput, list[str]]:
    with Session(engine) as session:
        party = session.get(Party, party_id)
        if party is None:
            return KeysInput(party_id, []), []
        events = events_of(session, party_id)
        return KeysInput(party_id, events, councils_for(session, events)), open_processes(session, party)


async def push_key_events(client: Client, engine: Engine, party_id: str) -> list[str]:
    """Send the party's key events (`learn_keys`) to every open process it is in; the workflow
    ids of those that learned something new."""
    keys, workflow_ids = await asyncio.to_thread(_read, engine, party_id)
    if not keys.events:
        return []
    learned = []
    for workflow_id in workflow_ids:
        try:
            await client.get_workflow_handle(workflow_id).execute_update("learn_keys", keys)
        except (WorkflowUpdateFailedError, RPCError):
            continue  # refused (known already, or no part there) or closed: see the module's note
        learned.append(workflow_id)
    return learned


class KeyEventActivities:
    """`push_key_events` for workflows (the recovery that waits, then binds the new key)."""

    def __init__(self, client: Client, engine: Engine) -> None:
        self._client = client
        self._engine = engine

    @activity.defn
    async def push_key_events(self, input: KeyPushInput) -> KeyPush:
        return KeyPush(await push_key_events(self._client, self._engine, input.party_id))
