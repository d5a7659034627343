"""The demo completes against a live stack, and its trail verifies offline (and fails when tampered)."""

import asyncio
import copy
import json
import os
import subprocess
import sys

from cli.audit import report, verify_file
from cli.demo import drive_demo
from domain.audit import verify_trail
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id


async def _demo_trail(stack) -> dict:
    status, escrow_id = await drive_demo(stack.settings, str(stack.http.base_url))
    assert status == 0
    handle = stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
    return await handle.query(EscrowWorkflow.audit_trail)


async def test_demo_balances_and_its_trail_verifies(stack, tmp_path):
    trail = await _demo_trail(stack)
    assert trail["escrow_id"].startswith("ESC-")
    actions = [entry["action"] for entry in trail["entries"]]
    assert actions[:2] == ["contract.sign", "contract.sign"]
    assert "stage.accept_partial" in actions and "holdback.release" in actions
    assert verify_trail(trail) == []
    path = tmp_path / "trail.json"
    path.write_text(json.dumps(trail))
    assert verify_file(path) == 0

    tampered_amount = copy.deepcopy(trail)
    accept = next(e for e in tampered_amount["entries"] if e["action"] == "stage.accept")
    accept["envelope"]["payload"]["amount_fen"] += 1
    assert any("signature" in p or "hash" in p for p in verify_trail(tampered_amount))
    assert report(tampered_amount) == 1

    dropped = copy.deepcopy(trail)
    del dropped["entries"][3]
    assert any("link" in p or "sequence" in p for p in verify_trail(dropped))

    swapped_terms = copy.deepcopy(trail)
    swapped_terms["terms"]["retention_fen"] = 0
    assert "the terms do not hash to the recorded terms_hash" in verify_trail(swapped_terms)


async def test_audit_command_exports_and_verifies(stack, tmp_path):
    """`escrow audit ID` reads the trail from the workflow, writes and verifies it; a changed file fails."""
    status, escrow_id = await drive_demo(stack.settings, str(stack.http.base_url))
    assert status == 0
    out = tmp_path / "trail.json"
    env = {**os.environ, "ESCROW_TEMPORAL_ADDRESS": stack.settings.temporal_address}
    exported = await run_escrow(["audit", escrow_id, "--out", str(out)], env)
    assert exported.returncode == 0, exported.stdout
    assert "audit: ok" in exported.stdout

    trail = json.loads(out.read_text())
    trail["entries"][-1]["envelope"]["payload"]["amount_fen"] = 1
    out.write_text(json.dumps(trail))
    tampered = await run_escrow(["audit", "--verify", str(out)], env)
    assert tampered.returncode == 1
    assert "cannot be trusted" in tampered.stdout


async def run_escrow(args: list[str], env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli.main", *args]
    return await asyncio.to_thread(
        subprocess.run, command, env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=60
    )
