"""Telling a party's open escrows and cases of its key events (issue 17).

STAND-IN written by the keys-api helper, only because CORE's module was not there yet: the
integrator keeps CORE's `push_key_events` (same signature) and drops this file. It sends the
`learn_keys` update, by name, with the party's stored events to every escrow and case the read
models name the party in; a process that does not take it (closed, or built before it had the
update) is logged and skipped, since the party's next step carries the events anyway.
"""

import logging
from dataclasses import asdict

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client

from db import cases, crud, keys
from workflows.case_types import case_workflow_id
from workflows.escrow_types import escrow_workflow_id

log = logging.getLogger("activities")

MOST = 1000  # far beyond any party's open escrows and cases


async def push_key_events(client: Client, engine: Engine, party_id: str) -> list[str]:
    """Send the party's key events to every process it is in; the workflow ids that took them."""
    with Session(engine) as session:
        events = [asdict(event) for event in keys.events_of(session, party_id)]
        escrows = crud.list_escrows_for_party(session=session, party_id=party_id, limit=MOST)
        open_cases = cases.list_open_cases_naming(session=session, party_id=party_id, limit=MOST)
    workflow_ids = [escrow_workflow_id(row.escrow_id) for row in escrows] + [
        case_workflow_id(row.case_id) for row in open_cases
    ]
    learned = []
    for workflow_id in workflow_ids:
        try:
            await client.get_workflow_handle(workflow_id).execute_update(
                "learn_keys", {"party_id": party_id, "events": events}
            )
        except Exception as exc:  # one process not taking it must not keep the others from hearing
            log.warning("%s did not take %s's key events: %s", workflow_id, party_id, exc)
            continue
        learned.append(workflow_id)
    return learned
