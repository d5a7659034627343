"""The demo completes against a live stack, and its trail verifies offline (and fails when tampered).

The demo needs only the API's URL (it learns the bank from the escrow's deposit
instructions) and, when no escrow stack answers there, says so in one sentence.
"""

import asyncio
import copy
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from sqlmodel import Session

from api.main import create_app
from cli.audit import report, verify_file
from cli.demo import drive_demo
from cli.dev import free_port
from db import crud
from domain.audit import files_named_by_trail, verify_trail, whole_trail
from domain.deposit_reference import deposit_reference
from evidence.store import original_key
from tests.kits.flow import EscrowFlow
from tests.kits.servers import serve
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import escrow_workflow_id


def nothing_listening() -> str:
    return f"http://127.0.0.1:{free_port()}"


async def _demo_trail(stack) -> dict:
    # a bank URL where nothing listens: the demo must pay in at the bank the API names
    told_only_the_api = stack.settings.model_copy(update={"bank_url": nothing_listening()})
    status, escrow_id = await drive_demo(told_only_the_api, str(stack.http.base_url))
    assert status == 0
    handle = stack.temporal.get_workflow_handle_for(EscrowWorkflow.run, escrow_workflow_id(escrow_id))
    exported = await handle.query(EscrowWorkflow.audit_trail)
    with Session(stack.engine) as session:  # the demo's escrow may be in its warranty run already
        return whole_trail(exported, crud.stored_trail(session=session, subject_id=escrow_id))


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
    env = {
        **os.environ,
        "ESCROW_TEMPORAL_ADDRESS": stack.settings.temporal_address,
        # the trail of an escrow's earlier run is read from the audit log
        "ESCROW_DATABASE_URL": stack.settings.app_database_url(),
    }
    exported = await run_escrow(["audit", escrow_id, "--out", str(out)], env)
    assert exported.returncode == 0, exported.stdout
    assert "audit: ok" in exported.stdout

    # the files the demo uploaded: the store's own folder is a folder of files for --files
    trail = json.loads(out.read_text())
    named = sorted({file.digest for file in files_named_by_trail(trail)})
    assert len(named) == 4, "stage 2's photo, its two defects' photos and its report"
    store = stack.settings.data_dir / "evidence"
    with_files = await run_escrow(["audit", "--verify", str(out), "--files", str(store)], env)
    assert with_files.returncode == 0, with_files.stdout
    assert "all 4 named file(s) found unchanged" in with_files.stdout
    copy_of_store = shutil.copytree(store, tmp_path / "evidence-copy")
    (copy_of_store / original_key(named[0])).unlink()
    one_gone = await run_escrow(["audit", "--verify", str(out), "--files", str(copy_of_store)], env)
    assert one_gone.returncode == 1
    assert f"missing {named[0]}" in one_gone.stdout
    assert not any(f"missing {digest}" in one_gone.stdout for digest in named[1:])

    trail["entries"][-1]["envelope"]["payload"]["amount_fen"] = 1
    out.write_text(json.dumps(trail))
    tampered = await run_escrow(["audit", "--verify", str(out)], env)
    assert tampered.returncode == 1
    assert "cannot be trusted" in tampered.stdout

    # an id no workflow holds is said in one sentence, not a traceback
    for unknown in ("ESC-2019-99999", "FUND-P-NOBODY"):
        missing = await run_escrow(["audit", unknown, "--out", str(tmp_path / "none.json")], env)
        assert missing.returncode == 2 and "Traceback" not in missing.stderr, missing.stderr
        assert f"there is no escrow or fund '{unknown}'" in missing.stdout


async def run_escrow(args: list[str], env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli.main", *args]
    return await asyncio.to_thread(
        subprocess.run,
        command,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def api_url_only(stack) -> dict[str, str]:
    """An operator's environment that names no part of the stack; only its secrets are told.

    (The secrets are the stack's own, so no development-secret warning joins the output.)
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCROW_") and k != "DATABASE_URL"}
    told = stack.settings
    secrets = {
        "ESCROW_COUNCIL_ENROLMENT_SECRET": told.council_enrolment_secret.get_secret_value(),
        "ESCROW_WEBHOOK_SECRET": told.webhook_secret.get_secret_value(),
        "ESCROW_BANK_ADMIN_TOKEN": told.bank_admin_token.get_secret_value(),
        "ESCROW_ID_NUMBER_SECRET": told.id_number_secret.get_secret_value(),
    }
    # ESCROW_BANK_URL where nothing listens: a demo that read it instead of asking the API would fail
    return env | secrets | {"ESCROW_BANK_URL": nothing_listening()}


async def test_deposit_instructions_name_the_bank_the_account_and_what_is_due(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    expected = {
        "escrow_id": flow.escrow_id,
        "bank_url": stack.settings.bank_url,
        "bank_name": stack.settings.bank_name,
        "account_holder": stack.settings.bank_account_holder,
        "account_id": flow.escrow_id,
        "payer_id": flow.owner.id,
        "reference": deposit_reference(flow.escrow_id),
    }
    for reader in (flow.owner, flow.contractor, flow.inspector, flow.council):
        assert await reader.deposit_instructions(flow.escrow_id) == expected | {"due_fen": 1_000_000}
    await flow.sign_contract()
    await flow.deposit(400_000)
    assert await flow.owner.deposit_instructions(flow.escrow_id) == expected | {"due_fen": 600_000}
    await flow.deposit(600_000)
    assert await flow.owner.deposit_instructions(flow.escrow_id) == expected | {"due_fen": 0}


async def test_demo_command_needs_only_the_api_url(stack):
    done = await run_escrow(["demo", "--api-url", str(stack.http.base_url)], api_url_only(stack), timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    told = re.search(r"deposit instructions: account (\S+) at (.+) \((\S+)\), reference (\S+)", done.stdout)
    assert told, done.stdout
    escrow_id = told[1]
    assert told.groups() == (
        escrow_id,
        stack.settings.bank_name,
        stack.settings.bank_url,
        deposit_reference(escrow_id),
    )
    assert "demo: ledger balanced" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize("mode", [[], ["--dispute"], ["--car"]])
@pytest.mark.parametrize("where", ["nothing listening", "not our API", "not a URL"])
async def test_demo_without_a_stack_says_so_in_one_sentence(stack, mode: list[str], where: str):
    url, says = {
        "nothing listening": (nothing_listening(), "no escrow API answers at"),
        # the sandbox bank answers GET /health, but not as the escrow API does
        "not our API": (stack.settings.bank_url, "but not as the escrow API does"),
        "not a URL": ("127.0.0.1:8000", "no escrow API answers at 127.0.0.1:8000"),
    }[where]
    done = await run_escrow(["demo", *mode, "--api-url", url], api_url_only(stack))
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr


async def test_demo_against_an_unhealthy_stack_says_so_in_one_sentence(stack):
    """Our API, up, but its bank is not: the health check answers 503 and the demo stops before any step."""
    broken = stack.settings.model_copy(update={"bank_url": nothing_listening()})
    async with serve(create_app(broken)) as url:
        done = await run_escrow(["demo", "--api-url", url], api_url_only(stack))
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"the escrow API at {url} answers but its stack is not healthy (bank unreachable" in done.stderr


@pytest.mark.parametrize("mode", ["--dispute", "--car"])
async def test_dispute_demos_without_temporal_say_so_in_one_sentence(stack, mode: str):
    """They fast-forward a case's clock through Temporal, whose address the API does not publish."""
    dead = f"127.0.0.1:{free_port()}"
    env = api_url_only(stack) | {"ESCROW_TEMPORAL_ADDRESS": dead}
    done = await run_escrow(["demo", mode, "--api-url", str(stack.http.base_url)], env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"but none answers at {dead}" in done.stderr and "ESCROW_TEMPORAL_ADDRESS" in done.stderr
