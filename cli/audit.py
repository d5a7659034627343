"""`escrow audit`: export a trail from the escrow's workflow and verify it offline."""

import asyncio
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from config.settings import Settings
from db import crud
from db.engine import make_engine, session_scope
from domain.audit import EARLIER_ENTRIES, verify_trail, whole_trail
from workflows.connection import connect_temporal
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id

console = Console()


async def _export(settings: Settings, escrow_id: str) -> dict[str, Any]:
    """The whole life's trail: the workflow's entries, and once the escrow continued as new
    into its warranty, the earlier run's entries from the audit log (domain.audit.whole_trail)."""
    client = await connect_temporal(settings)
    handle = client.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
    exported = await handle.query(EscrowWorkflow.audit_trail)
    if not exported[EARLIER_ENTRIES]:
        return whole_trail(exported, [])
    with session_scope(make_engine(settings.app_database_url())) as session:
        return whole_trail(exported, crud.stored_trail(session=session, subject_id=escrow_id))


def export_and_verify(settings: Settings, escrow_id: str, out: Path | None) -> int:
    trail = asyncio.run(_export(settings, escrow_id))
    path = out or Path(f"{escrow_id}-audit.json")
    path.write_text(json.dumps(trail, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    console.print(f"exported {len(trail['entries'])} signed steps to {path}")
    return report(trail)


def verify_file(path: Path) -> int:
    try:
        trail = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]cannot read {path}: {exc}[/red]")
        return 2
    return report(trail)


def report(trail: dict[str, Any]) -> int:
    problems = verify_trail(trail)
    table = Table(title=f"audit trail of {trail.get('escrow_id', '?')}")
    for column in ("seq", "action", "signer", "role", "signed at", "entry hash"):
        table.add_column(column)
    for entry in trail.get("entries", []):
        envelope = entry.get("envelope", {})
        table.add_row(
            str(entry.get("seq")),
            str(entry.get("action")),
            str(envelope.get("signer")),
            str(entry.get("signer_role")),
            str(envelope.get("timestamp")),
            str(entry.get("entry_hash"))[:16],
        )
    console.print(table)
    if problems:
        for problem in problems:
            console.print(f"[red]FAIL[/red] {problem}")
        console.print(f"[red]audit: {len(problems)} problem(s); the trail cannot be trusted[/red]")
        return 1
    head = trail["entries"][-1]["entry_hash"] if trail["entries"] else trail["terms_hash"]
    console.print(f"[green]audit: ok[/green] {len(trail['entries'])} signed steps; head {head}")
    return 0
