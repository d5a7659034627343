"""The key recovery workflow's activities: apply the recovery when its waiting period is over,
record a cancellation, push the new keys to the party's open processes. Idempotent by the request
id: a retried activity finds the request closed as it left it and does nothing twice (the key
event itself is recorded once by its hash, db.keys.record_event).
"""

import json
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client

from activities import key_events
from activities.key_recovery_types import RecoveryApplied, RecoveryApply, RecoveryClose
from activities.types import NotifyInput
from db import cases, crud, keys
from db import key_recovery as requests
from db.models import Party
from domain.steps.rejections import StepRejected
from domain.steps.signing import SignedStep
from notify.events import CLOSED_ESCROW
from notify.kinds import MessageKind

OPEN_PROCESSES_SHOWN = 500  # far beyond any one party's open escrows and cases


class KeyRecoveryActivities:
    def __init__(self, engine: Engine, client: Client) -> None:
        self._engine = engine
        self._client = client

    @activity.defn
    def apply_recovery(self, input: RecoveryApply) -> RecoveryApplied:
        """Record the `key.recover` (every old key revoked) and close the request as done; or, when
        the ring refuses it now (the key was bound to another party meanwhile, the party's keys
        changed under it), close it as failed with the refusal's code."""
        at = datetime.fromisoformat(input.at)
        with Session(self._engine) as session:
            row = requests.get_request(session=session, request_id=input.request_id)
            assert row is not None and row.binding is not None
            party = crud.get_party(session=session, party_id=row.party_id)
            assert party is not None
            if row.state == requests.WAITING:
                stored = json.loads(row.binding)
                event = SignedStep(envelope=stored["envelope"], signature=stored["signature"])
                try:
                    keys.record_event(session, party, event, at)
                except StepRejected as refused:
                    requests.close(
                        session=session, request_id=row.id, state=requests.FAILED, at=at, failure=refused.code
                    )
                    return RecoveryApplied(applied=False, failure=refused.code)
                row = requests.close(session=session, request_id=row.id, state=requests.DONE, at=at)
            if row.state != requests.DONE:
                return RecoveryApplied(applied=False, failure=row.failure)
            return RecoveryApplied(applied=True, notices=_notices(session, party, row.id))

    @activity.defn
    def close_recovery(self, input: RecoveryClose) -> None:
        with Session(self._engine) as session:
            requests.close(
                session=session,
                request_id=input.request_id,
                state=input.state,
                at=datetime.fromisoformat(input.at),
                cancelled_by_key=input.cancelled_by_key,
            )

    @activity.defn
    async def push_recovered_keys(self, party_id: str) -> None:
        await key_events.push_key_events(self._client, self._engine, party_id)


def _notices(session: Session, party: Party, request_id: str) -> list[NotifyInput]:
    """One message to every other party of each open escrow and case of `party`: its keys were
    replaced, so steps it signs from now on come from a new device (the trail shows the event)."""
    processes: list[tuple[str, str, list[str | None]]] = [
        (row.escrow_id, f"/my/escrows/{row.escrow_id}", [row.owner_id, row.contractor_id, row.inspector_id])
        for row in crud.list_escrows_for_party(session=session, party_id=party.id, limit=OPEN_PROCESSES_SHOWN)
        if row.status not in CLOSED_ESCROW
    ] + [
        (row.case_id, f"/my/cases/{row.case_id}", [row.claimant_id, row.respondent_id])
        for row in cases.list_cases(
            session=session, party_id=party.id, open_only=True, limit=OPEN_PROCESSES_SHOWN
        )
    ]
    return [
        NotifyInput(
            party_id=other,
            kind=MessageKind.KEY_RECOVERED.value,
            event_key=f"{request_id}/recovered/{subject}",
            subject_id=subject,
            params={"subject": subject, "party": party.display_name},
            link=link,
        )
        for subject, link, members in processes
        for other in dict.fromkeys(members)
        if other is not None and other != party.id
    ]
