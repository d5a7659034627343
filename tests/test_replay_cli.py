"""`escrow replay` on a history exported from a running server, as the check before a release.

The history comes from the real `temporal workflow show --output json` of a running escrow on
the session's server, so the test pins the JSON shape that CLI writes as well as the replay.
"""

import subprocess
import sys
from pathlib import Path

from cli.replay import history_files, replay_files, report
from tests.conftest import temporal_binary
from tests.kits.escrow_versions import BankFirstEscrowWorkflow
from tests.kits.flow import EscrowFlow

ROOT = Path(__file__).resolve().parents[1]


def export(flow: EscrowFlow, folder: Path) -> Path:
    """What an operator runs against the server: one file per workflow, named by its id."""
    settings = flow.stack.settings
    argv = [temporal_binary(), "workflow", "show", "--workflow-id", flow.handle.id, "--output", "json"]
    argv += ["--address", settings.temporal_address, "--namespace", settings.temporal_namespace]
    shown = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    path = folder / f"{flow.handle.id}.json"
    path.write_text(shown.stdout, encoding="utf-8")
    return path


async def test_a_running_escrows_exported_history_replays_and_a_changed_definition_is_caught(stack, tmp_path):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=1_000_000)
    await flow.pass_stage(1)  # an acceptance with a payout: the order of projection and bank is in history
    await flow.wait_for(lambda s: s.ledger.released_fen > 0, "the first payout")
    path = export(flow, tmp_path)

    argv = [sys.executable, "-m", "cli.main", "replay", str(tmp_path)]
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    row = next(line for line in run.stdout.splitlines() if flow.handle.id in line)
    assert "EscrowWorkflow" in row and row.rstrip(" │").endswith("ok")

    [today] = await replay_files(history_files([tmp_path]))
    assert (today.workflow_id, today.workflow_type, today.problem) == (flow.handle.id, "EscrowWorkflow", "")
    assert today.events > 20

    [changed] = await replay_files([path], workflows=[BankFirstEscrowWorkflow])
    assert changed.problem.startswith("nondeterminism: "), changed.problem
    assert "project_escrow" in changed.problem or "execute_movement" in changed.problem
    assert report([today, changed]) == 1


def test_nothing_to_replay_is_a_failure(tmp_path):
    assert report(history_files([tmp_path])) == 1
