"""`escrow replay FILE_OR_DIR...`: do these workflows' histories replay on this code?

The check before a release (docs/VERSIONING.md, "Before a release"): export the history of
each running workflow from the server, `temporal workflow show --workflow-id ID --output json
> ID.json`, and replay them on the code about to be rolled out. An escrow upgrades to the new
build at its next task, and replaying its history is the first thing the new build does with
it: a history that does not replay here would stop that escrow there (a workflow task failing
over and over), until the change is put behind `workflow.patched` or rolled back.

The temporal CLI writes only `{"events": [...]}`, without the workflow id, so the id is the
file's name; the type is read from the history's first event. A directory stands for every
`*.json` below it, so `escrow replay tests/histories` replays the recorded ones too.
"""

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from temporalio.client import WorkflowHistory
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from workflows.case import CaseWorkflow
from workflows.escrow import EscrowWorkflow
from workflows.key_recovery import KeyRecoveryWorkflow
from workflows.notifier import NotifierWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow

TODAYS_WORKFLOWS: tuple[type, ...] = (
    EscrowWorkflow,
    CaseWorkflow,
    WebhookDeliveryWorkflow,
    NotifierWorkflow,
    KeyRecoveryWorkflow,
)
CORE_MESSAGE = re.compile(r'message: "(.*?)", source:')

console = Console(width=200)


@dataclass(frozen=True)
class Replayed:
    """One history replayed: `problem` is empty when it replayed to its end."""

    workflow_id: str
    workflow_type: str
    events: int
    problem: str = ""

    @property
    def result(self) -> str:
        return f"failed: {self.problem}" if self.problem else "ok"


def history_files(paths: Sequence[Path]) -> list[Path]:
    """The files given, and every `*.json` under each directory given, in a stable order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.json")) if path.is_dir() else [path]
    return found


def read_history(path: Path) -> WorkflowHistory:
    """A history exported by `temporal workflow show --output json` (or by `WorkflowHistory.to_json`)."""
    return WorkflowHistory.from_json(path.stem, json.loads(path.read_text(encoding="utf-8")))


def workflow_type(history: WorkflowHistory) -> str:
    first = history.events[0] if history.events else None
    if first is None or not first.HasField("workflow_execution_started_event_attributes"):
        return "?"
    return first.workflow_execution_started_event_attributes.workflow_type.name


def why(failure: Exception) -> str:
    """The reason in one line, naming a nondeterminism as such: the SDK core's own message
    when the failure wraps one, as a nondeterminism it found does."""
    text = " ".join(str(failure).split())
    core = CORE_MESSAGE.search(text)
    reason = (core.group(1) if core else text) or type(failure).__name__
    return f"nondeterminism: {reason}" if isinstance(failure, NondeterminismError) else reason


def quiet_runtime() -> Runtime:
    """The SDK core logs each failing replay as a warning too: the table says it once."""
    errors_only = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=errors_only)))


async def replay_files(paths: Sequence[Path], workflows: Sequence[type] = TODAYS_WORKFLOWS) -> list[Replayed]:
    """Replay each history on `workflows` (today's definitions unless a test gives others)."""
    replayer = Replayer(workflows=list(workflows), runtime=quiet_runtime())
    results = []
    for path in paths:
        try:
            history = read_history(path)
        except (OSError, ValueError, KeyError) as exc:
            results.append(Replayed(path.stem, "?", 0, f"unreadable: {exc}"))
            continue
        replay = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = replay.replay_failure
        problem = why(failure) if failure is not None else ""
        results.append(Replayed(history.workflow_id, workflow_type(history), len(history.events), problem))
    return results


def report(results: Sequence[Replayed]) -> int:
    """Print one row per history; 1 when any failed to replay, or when there was nothing to replay."""
    if not results:
        console.print("[red]no history to replay: give exported *.json files or a directory of them[/red]")
        return 1
    table = Table(title="histories replayed on this code")
    for column in ("workflow id", "type", "events", "result"):
        table.add_column(column)
    for replayed in results:
        colour = "red" if replayed.problem else "green"
        table.add_row(
            replayed.workflow_id,
            replayed.workflow_type,
            str(replayed.events),
            f"[{colour}]{replayed.result}[/{colour}]",
        )
    console.print(table)
    failed = sum(1 for replayed in results if replayed.problem)
    console.print(f"replayed {len(results)}, failed {failed}")
    return 1 if failed else 0


def run_replay(paths: Sequence[Path]) -> int:
    return report(asyncio.run(replay_files(history_files(paths))))
