"""`escrow audit`: export a trail from its workflow and verify it offline.

The id says which workflow: a compensation fund's (`FUND-...`, its pledges, advances and
withdrawals) or else an escrow's; both export the same way and one verifier reads either file
(domain/audit.py says how a trail names its kind).

With `--files DIR`, also check the evidence: every file a step of the trail names must be in DIR
(under any name, in any sub-folder, so a copy of the evidence store's folder works as well as a
folder of downloads) with the bytes whose SHA-256 was signed. A file whose bytes were changed
hashes to something else, so the hash the step names is then missing.

With `--files-from-store`, the same check against the evidence store the settings name (the
app's own: local folder or bucket, evidence/store.py), with nothing downloaded first: each named
file's object is read where the store keeps it (`sha256/...`) and hashed as it streams, so one
missing is `missing` and one whose bytes hash to something else is `altered`.
"""

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

from obstore.exceptions import NotFoundError
from rich.console import Console
from rich.table import Table
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from db import crud
from db.engine import make_engine, session_scope
from domain.audit import EARLIER_ENTRIES, files_named_by_trail, trail_subject, verify_trail, whole_trail
from domain.fund.terms import FUND_PREFIX
from evidence.store import EvidenceStore, make_store, original_key
from workflows.connection import connect_temporal
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id

console = Console()
CHUNK_BYTES = 1 << 20  # files are hashed a chunk at a time: a video need not fit in memory


async def _export(settings: Settings, subject_id: str) -> dict[str, Any]:
    """The whole life's trail: the workflow's entries, and once the escrow continued as new
    into its warranty (or the fund into a later run), the earlier runs' entries from the audit
    log (domain.audit.whole_trail). A `FUND-` id is a fund's workflow, any other an escrow's."""
    client = await connect_temporal(settings)
    if subject_id.startswith(FUND_PREFIX):
        fund = client.get_workflow_handle_for(FundWorkflow.run, fund_workflow_id(subject_id))
        exported = await fund.query(FundWorkflow.audit_trail)
    else:
        escrow = client.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(subject_id))
        exported = await escrow.query(EscrowWorkflow.audit_trail)
    if not exported[EARLIER_ENTRIES]:
        return whole_trail(exported, [])
    with session_scope(make_engine(settings.app_database_url())) as session:
        return whole_trail(exported, crud.stored_trail(session=session, subject_id=subject_id))


Files = Path | EvidenceStore  # where the audit looks for the files a trail names


def export_and_verify(
    settings: Settings, subject_id: str, out: Path | None, files: Files | None = None
) -> int:
    """Export the escrow's or fund's trail, write it (to `out`, else `<id>-audit.json`), verify it."""
    if isinstance(files, Path) and not files.is_dir():
        return _no_folder(files)
    try:
        trail = asyncio.run(_export(settings, subject_id))
    except RPCError as exc:
        unknown = exc.status is RPCStatusCode.NOT_FOUND
        said = (
            f"there is no escrow or fund {subject_id!r}" if unknown else f"Temporal answered: {exc.message}"
        )
        console.print(f"[red]cannot export {subject_id}: {said}[/red]")
        return 2
    path = out or Path(f"{subject_id}-audit.json")
    path.write_text(json.dumps(trail, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    console.print(f"exported {len(trail['entries'])} signed steps to {path}")
    return report(trail, files)


def verify_file(path: Path, files: Files | None = None) -> int:
    if isinstance(files, Path) and not files.is_dir():
        return _no_folder(files)
    try:
        trail = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]cannot read {path}: {exc}[/red]")
        return 2
    return report(trail, files)


def _no_folder(files: Path) -> int:
    console.print(f"[red]--files {files} is not a folder[/red]")
    return 2


def store_to_audit(settings: Settings) -> EvidenceStore | None:
    """The evidence store the app's settings name; None, said why, for the memory store (it lives
    and dies with one API process: an audit would find it empty)."""
    if settings.evidence_store == "memory":
        console.print("[red]--files-from-store: ESCROW_EVIDENCE_STORE=memory keeps no files to audit[/red]")
        return None
    return make_store(settings)


def file_digest(path: Path) -> str:
    """'sha256:' and the hex SHA-256 of the file's bytes, read a chunk at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def digests_in(folder: Path) -> set[str]:
    """The hash of every regular file in the folder and its sub-folders."""
    return {file_digest(path) for path in sorted(folder.rglob("*")) if path.is_file()}


async def object_digest(store: EvidenceStore, digest: str) -> str | None:
    """'sha256:' and the hex SHA-256 of the bytes the store keeps for `digest`, read as they
    stream; None when it keeps none."""
    hashed = hashlib.sha256()
    try:
        async for chunk in store.stream(original_key(digest)):
            hashed.update(chunk)
    except (NotFoundError, FileNotFoundError):
        return None
    return f"sha256:{hashed.hexdigest()}"


async def states_in_store(store: EvidenceStore, digests: list[str]) -> dict[str, str]:
    """found, missing or altered, for each digest, as the store holds its file."""
    states: dict[str, str] = {}
    for digest in dict.fromkeys(digests):
        held = await object_digest(store, digest)
        states[digest] = "missing" if held is None else "found" if held == digest else "altered"
    return states


def report_files(trail: dict[str, Any], files: Files) -> int:
    """The table of the files the trail names, found, missing or altered in `files` (a folder or
    the store); how many are not found."""
    named = files_named_by_trail(trail)
    if isinstance(files, Path):
        present, where, found_in = digests_in(files), str(files), "in the folder"
        states = {file.digest: "found" if file.digest in present else "missing" for file in named}
    else:
        states = asyncio.run(states_in_store(files, [file.digest for file in named]))
        where, found_in = "the evidence store", "in the store"
    table = Table(title=f"evidence files named by {trail_subject(trail)}, looked for in {where}")
    for column in ("file hash", "step", "seq", found_in):
        table.add_column(column, overflow="fold")
    for file in named:
        state = states[file.digest]
        table.add_row(
            file.digest, file.action, str(file.seq), state if state == "found" else f"[red]{state}[/red]"
        )
    console.print(table)
    missing = [file for file in named if states[file.digest] != "found"]
    for file in missing:  # one unwrapped line each, whole hashes for whoever greps the output
        console.print(
            f"[red]FAIL[/red] {states[file.digest]} {file.digest} ({file.action}, seq {file.seq})",
            soft_wrap=True,
        )
    if missing:
        console.print(f"[red]FAIL[/red] {len(missing)} of {len(named)} named file(s) missing or altered")
    else:
        console.print(f"[green]files: ok[/green] all {len(named)} named file(s) found unchanged")
    return len(missing)


def report(trail: dict[str, Any], files: Files | None = None) -> int:
    problems = verify_trail(trail)
    table = Table(title=f"audit trail of {trail_subject(trail)}")
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
    # the files of a trail that fails its checks are not looked for: what it names proves nothing
    missing_files = report_files(trail, files) if files is not None and not problems else 0
    if problems:
        for problem in problems:
            console.print(f"[red]FAIL[/red] {problem}")
        console.print(f"[red]audit: {len(problems)} problem(s); the trail cannot be trusted[/red]")
        return 1
    if missing_files:
        console.print("[red]audit: the trail is intact but evidence it names is missing or altered[/red]")
        return 1
    head = trail["entries"][-1]["entry_hash"] if trail["entries"] else trail["terms_hash"]
    console.print(f"[green]audit: ok[/green] {len(trail['entries'])} signed steps; head {head}")
    return 0
