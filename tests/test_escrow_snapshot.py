"""The typed escrow snapshot: what every release's workers recorded still reads, and the API documents it.

Every projection a recorded history scheduled is read the way a worker reads its input
(Temporal's converter, into `ProjectionInput`) and written back as the read model stores it:
nothing may differ. A field added or dropped after a release was recorded would show here
against that release's histories, to be allowed by name.
"""

import json
import re
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import value_to_type

from activities.types import ProjectionInput
from api.main import create_app
from config.settings import Settings
from domain.escrow.snapshot import read_summary, summary_document
from tests.conftest import recorded_histories
from tests.kits.machine_kit import Kit

HISTORIES = [path for path in recorded_histories() if path.name.startswith("escrow_")]
# Fields added since a release was recorded, by name: its snapshots read them as their default
# (a dispute's cause: "raised", the one cause 0.1.0 knew by code; its system disputes keep their
# English reason, shown as written).
ADDED_SINCE_RECORDED = re.compile(r"\.disputes\[\d+\]\.cause added")


def recorded_projections(path: Path) -> list[dict]:
    history = WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))
    return [
        json.loads(event.activity_task_scheduled_event_attributes.input.payloads[0].data)
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == "project_escrow"
    ]


def differences(recorded: object, stored: object, where: str = "") -> list[str]:
    """Where the stored JSON departs from the recorded one."""
    if isinstance(recorded, dict) and isinstance(stored, dict):
        found = [f"{where}.{key} added" for key in stored.keys() - recorded.keys()]
        found += [f"{where}.{key} lost" for key in recorded.keys() - stored.keys()]
        for key in recorded.keys() & stored.keys():
            found += differences(recorded[key], stored[key], f"{where}.{key}")
        return found
    if isinstance(recorded, list) and isinstance(stored, list) and len(recorded) == len(stored):
        return [
            d
            for i, (r, s) in enumerate(zip(recorded, stored, strict=True))
            for d in differences(r, s, f"{where}[{i}]")
        ]
    return [] if recorded == stored else [f"{where}: {recorded!r} != {stored!r}"]


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_recorded_projection_reads_as_the_snapshot_it_was(path: Path) -> None:
    recorded = recorded_projections(path)
    assert recorded
    for raw in recorded:
        snapshot = value_to_type(ProjectionInput, raw).snapshot
        stored = summary_document(snapshot)
        found = differences(raw["snapshot"], stored)
        assert [d for d in found if not ADDED_SINCE_RECORDED.fullmatch(d)] == []
        assert read_summary(json.dumps(stored)) == snapshot


def test_a_snapshot_survives_the_read_model_and_back() -> None:
    kit = Kit()
    kit.fund()
    kit.inspected(1)
    snapshot = kit.m.snapshot()
    assert read_summary(json.dumps(summary_document(snapshot))) == snapshot


def test_the_api_documents_the_escrow_and_its_trail(tmp_path: Path) -> None:
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    schemas = schema["components"]["schemas"]

    def answer(path: str) -> dict:
        return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert answer("/escrows/{escrow_id}") == {"$ref": "#/components/schemas/EscrowSnapshot"}
    assert answer("/escrows/{escrow_id}/audit") == {"$ref": "#/components/schemas/EscrowAuditTrail"}
    escrow = schemas["EscrowSnapshot"]["properties"]
    assert list(escrow)[:4] == ["escrow_id", "title", "version", "phase"]
    assert escrow["ledger"] == {"$ref": "#/components/schemas/LedgerSnapshot"}
    assert schemas["Stage"]["properties"]["report_due"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert schemas["EscrowAuditTrail"]["properties"]["entries"]["items"] == {
        "$ref": "#/components/schemas/AuditEntry"
    }
