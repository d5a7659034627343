"""A fund continues as new every so many changes (docs/ADVANCE_COMPENSATION.md, "The fund's runs").

On the real stack: a fund opened through `POST /funds` while `fund_versions_per_run` is small (the
setting the API reads when it opens a fund, so the fund is started as every fund is) continues as
new twice: after a pledge, a deposit and an overdue case, then after an advance signed by a council
member who joined later, its payout and the repaying deposit. The last run takes a deposit and a
signed step, refuses a step of the first run sent again, reads the whole life, and its trail,
read from the audit table, links from the terms to the head the workflow holds. Its readers export
that whole trail (`GET /funds/{id}/audit`, `escrow audit FUND-...`) and it verifies offline; the
buyer may not read it. Each run replays as the chaos reconciler replays it.
"""

import asyncio
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Replayer

from chaos.reconcile import EscrowFindings, replayed_then_read
from cli.audit import export_and_verify
from client.escrow_session import eventually
from client.funds import pay_in, read_fund
from client.party import Party, StepRefused, raise_for_error
from db import crud, funds
from domain.audit import verify_trail
from domain.canonical import content_hash
from domain.fund.snapshot import FundSnapshot
from domain.fund.steps import FUND_RULES
from domain.fund.terms import AdvanceClaim, FundTerms
from domain.steps.parties import PartyKey
from tests.kits.audit_files import audit
from tests.kits.businesses import verified_business
from tests.kits.flow import COUNCIL_SECRET
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id
from workflows.runs import run_histories

PLEDGE = 1_000_000
ADVANCE = 300_000
WAIT = 30


async def signed_step(signer: Party, fund_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Sign and post a fund step; returns the body posted, to be sent again."""
    body = asdict(signer.sign(action, fund_id, payload))
    raise_for_error(await post_step(signer, fund_id, action, body))
    return body


async def post_step(signer: Party, fund_id: str, action: str, body: dict[str, Any]) -> Any:
    return await signer.http.post(
        f"/funds/{fund_id}{FUND_RULES[action].route(body['envelope']['payload'])}", json=body
    )


async def next_run(handle: Any, seen: list[str]) -> str:
    """The run the fund continued as, once there is one not in `seen`."""

    async def current() -> str:
        return (await handle.describe()).run_id or ""

    run = await eventually(current, lambda r: r not in seen, "the fund to continue as new", WAIT)
    seen.append(run)
    return run


async def fund_until(reader: Party, fund_id: str, done: Any, what: str) -> FundSnapshot:
    return await eventually(lambda: read_fund(reader, fund_id), done, what, WAIT)


async def test_a_fund_continues_as_new_and_goes_on_with_its_whole_life(stack, monkeypatch, tmp_path):
    monkeypatch.setattr(stack.settings, "fund_versions_per_run", 3)
    dealer = await verified_business(stack.http, "dealer", "桂林runs汽车销售有限公司")
    buyer = await Party(stack.http, "buyer", "先行赔付 买家").register()
    fund_id = raise_for_error(await dealer.http.post("/funds", headers=dealer.auth))["fund"]["fund_id"]
    handle = stack.temporal.get_workflow_handle_for(FundWorkflow.run, fund_workflow_id(fund_id))
    runs = [(await handle.describe()).run_id or ""]
    # a council member who joined after the fund opened: the fund learns the key at their first step
    council = await Party(stack.http, "council", "先行赔付 后来的委员").register(
        enrolment_secret=COUNCIL_SECRET
    )

    # run 1: a pledge, a deposit, an overdue case
    pledged = await signed_step(dealer, fund_id, "fund.pledge", {"amount_fen": PLEDGE})
    await eventually(
        lambda: pay_in(stack.bank, fund_id, dealer.id, PLEDGE, f"{fund_id}:deposit-1"),
        bool,
        "the account",
        WAIT,
    )
    claim = AdvanceClaim("CASE-RUNS-00001", "decision-runs", buyer.id, dealer.id, ADVANCE, datetime.now(UTC))
    await handle.signal(FundWorkflow.case_overdue, claim)
    await next_run(handle, runs)

    # run 2: the advance (the case and the alert came along), its payout, the deposit that repays it
    fund = await fund_until(council, fund_id, lambda f: f.claims, "the carried claim")
    assert [a.code.value for a in fund.alerts] == ["advance_due"]
    advance = {"case_id": claim.case_id, "decision_hash": claim.decision_hash, "amount_fen": ADVANCE}
    await signed_step(council, fund_id, "fund.advance", advance)
    await fund_until(council, fund_id, lambda f: f.ledger.owed_fen == ADVANCE, "the advance paid")
    await pay_in(stack.bank, fund_id, dealer.id, ADVANCE, f"{fund_id}:deposit-2")
    await next_run(handle, runs)

    # run 3: a deposit and a signed step still work; a step of the first run sent again does not
    await pay_in(stack.bank, fund_id, dealer.id, 50_000, f"{fund_id}:deposit-3")
    await signed_step(dealer, fund_id, "fund.pledge", {"amount_fen": PLEDGE + 50_000})
    try:
        raise_for_error(await post_step(dealer, fund_id, "fund.pledge", pledged))
    except StepRefused as refusal:
        assert (refusal.status, refusal.code) == (409, "nonce_reused"), refusal
    else:
        raise AssertionError("the first run's step was accepted again")
    fund = await fund_until(dealer, fund_id, lambda f: f.version == 8, "the last deposit and step")
    assert (await handle.describe()).run_id == runs[-1]  # two changes: still the third run

    # the whole life, as the workflow and the read model hold it
    ledger = fund.ledger
    assert (ledger.deposited_fen, ledger.advanced_fen, ledger.owed_fen, ledger.held_fen) == (
        PLEDGE + ADVANCE + 50_000,
        ADVANCE,
        0,
        PLEDGE + 50_000,
    )
    [paid] = fund.movements
    assert (paid.case_id, paid.signed_by, paid.status.value) == (claim.case_id, council.id, "done")
    assert [(c.case_id, c.advanced) for c in fund.claims] == [(claim.case_id, True)]
    assert (fund.version, fund.trail_length) == (8, 3)
    assert (await stack.bank.balance(fund_id)).balance_fen == ledger.held_fen

    async def read_model() -> tuple[FundSnapshot | None, list[dict[str, Any]]]:
        with Session(stack.engine) as session:
            row = funds.get_fund(session=session, fund_id=fund_id)
            trail = crud.stored_trail(session=session, subject_id=fund_id)
            return (None if row is None else funds.fund_snapshot(row)), trail

    _, trail = await eventually(read_model, lambda found: found[0] == fund, "the read model", WAIT)

    # the trail of the whole life, from the audit table: every run's entries, one chain to the head
    assert [e["action"] for e in trail] == ["fund.pledge", "fund.advance", "fund.pledge"]
    assert trail[-1]["entry_hash"] == fund.trail_head

    # as its readers export it: the earlier runs' entries from the audit table, this run's from the
    # workflow, from the terms the fund opened with to the head, verified offline
    terms = FundTerms(fund_id, PartyKey(dealer.id, dealer.key.public_key_b64), "dealer", PLEDGE)
    for reader in (dealer, council):
        exported = raise_for_error(await reader.http.get(f"/funds/{fund_id}/audit", headers=reader.auth))
        assert (exported["fund_id"], exported["terms_hash"]) == (fund_id, content_hash(asdict(terms)))
        assert exported["entries"] == trail
        assert exported["council_keys"][council.id] == council.key.public_key_b64  # learned at its step
        assert verify_trail(exported) == []
    refused = await buyer.http.get(f"/funds/{fund_id}/audit", headers=buyer.auth)
    assert (refused.status_code, refused.json()["detail"]["code"]) == (403, "not_fund_reader")
    # `escrow audit FUND-...`: the same export written and verified, then verified again as a file
    out = tmp_path / "fund-trail.json"
    assert await asyncio.to_thread(export_and_verify, stack.settings, fund_id, out) == 0
    assert json.loads(out.read_text()) == exported
    verified = audit(out)
    assert verified.returncode == 0 and f"audit trail of {fund_id}" in verified.stdout, verified.stdout

    # three runs, the later two without opening the account again; each replays
    histories = await run_histories(stack.temporal, handle.id)
    assert len(histories) == 3
    continued = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert [h.events[-1].event_type == continued for h in histories] == [True, True, False]
    opened = [
        sum(e.activity_task_scheduled_event_attributes.activity_type.name == "open_account" for e in h.events)
        for h in histories
    ]
    assert opened == [1, 0, 0]
    found = EscrowFindings(fund_id)
    replayed = await replayed_then_read(
        stack.temporal, handle, FundWorkflow.snapshot, found, Replayer(workflows=[FundWorkflow]), tmp_path
    )
    assert found.problems["unreplayable_histories"] == []
    assert replayed == fund
