"""The read-model projection on its own: CPU per `project_escrow`, SQLite or PostgreSQL.

The escrow bench's profile puts the projection activity at the top of the worker's own
cost, so this measures it without a server or other load in the way: it replays the
real projection inputs of a recorded lifecycle (tests/histories/<version>/escrow_full_lifecycle.json)
for many escrows into a fresh database and reports CPU and wall time per call.

    .venv/bin/python -m bench.projection [--escrows 50] [--database-url URL]
"""

import argparse
import json
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlmodel import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import value_to_type

from activities.projections import ProjectionActivities
from activities.types import ProjectionInput
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Party
from workflows.deployment import DISTRIBUTION

RELEASE = Path(__file__).resolve().parents[1] / "tests" / "histories" / version(DISTRIBUTION)
HISTORY = RELEASE / "escrow_full_lifecycle.json"


def recorded_inputs() -> list[dict[str, Any]]:
    history = WorkflowHistory.from_json("bench", json.loads(HISTORY.read_text()))
    return [
        json.loads(event.activity_task_scheduled_event_attributes.input.payloads[0].data)
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == "project_escrow"
    ]


def as_escrow(raw: dict[str, Any], escrow_id: str) -> ProjectionInput:
    """The recorded input moved to another escrow id (a text replace keeps it consistent), read
    as the worker reads it."""
    moved = json.loads(json.dumps(raw).replace(raw["escrow_id"], escrow_id))
    projection: ProjectionInput = value_to_type(ProjectionInput, moved)
    return projection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escrows", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-projection-')}/escrow.db"
    upgrade(url)
    engine = make_engine(url)
    inputs = recorded_inputs()
    snapshot = inputs[0]["snapshot"]
    with Session(engine) as session:
        for role in ("owner", "contractor", "inspector"):
            party_id = snapshot[f"{role}_id"]
            if session.get(Party, party_id) is None:
                key = f"bench-key-{role}"
                session.add(Party(id=party_id, role=role, display_name=role, public_key=key))
        session.commit()
    projections = ProjectionActivities(engine)
    calls = [as_escrow(raw, f"ESC-BENCH-{n:05d}") for n in range(args.escrows) for raw in inputs]
    cpu, wall = time.process_time(), time.perf_counter()
    for call in calls:
        projections.store_escrow(call)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"projection: calls={len(calls)} cpu_ms_per_call={cpu * 1000 / len(calls):.2f} "
        f"wall_ms_per_call={wall * 1000 / len(calls):.2f} backend={engine.dialect.name}"
    )


if __name__ == "__main__":
    main()
