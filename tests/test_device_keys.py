"""A party's second device signs in its escrows and cases, through the API and the real workflows:
the step carries the party's stored key events (db/keys.py), the process checks it against the keys
held then and records the events in its trail; a revocation pushed to the open escrow
(activities/key_events.py) refuses the revoked key there at once, and `escrow audit --verify`
still proves every step, the revoked key's earlier ones included."""

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from activities.key_events import push_key_events
from cli.audit import verify_file
from client.escrow_session import eventually
from client.keys import PartyKey
from client.party import Party
from db import crud
from db.keys import keys_of, record_event
from domain.audit import verify_trail
from domain.escrow import steps
from domain.keys import key_id
from domain.steps.signing import SignedStep
from tests.kits.case_kit import accepted_case
from tests.kits.flow import EscrowFlow
from workflows.escrow import EscrowWorkflow
from workflows.escrow_types import KeysInput, StepInput


def record(stack, party: Party, event: SignedStep) -> None:
    with Session(stack.engine) as session:
        row = crud.get_party(session=session, party_id=party.id)
        assert row is not None
        assert record_event(session, row, event, datetime.now(UTC)) is not None


async def pair(stack, party: Party, now: datetime, label: str = "phone") -> PartyKey:
    """A second device for `party`, added by its current key and stored as the API stores it."""
    device = PartyKey.generate()
    record(stack, party, party.key.sign_key_add(party.id, device.sign_pairing(party.id, label, now), now))
    return device


async def accepted_updates(flow: EscrowFlow) -> int:
    """How many updates the escrow's history holds (a refused one leaves no event at all)."""
    history = await flow.handle.fetch_history()
    return sum(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for e in history.events
    )


def last_used(stack, party: Party, key: PartyKey) -> datetime | None:
    with Session(stack.engine) as session:
        rows = {row.id: row for row in keys_of(session, party.id)}
    return rows[key_id(key.public_key_b64)].last_used_at


async def test_a_second_device_signs_until_the_first_is_revoked_and_the_trail_still_verifies(stack, tmp_path):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=2_000_000)
    first = flow.owner.key
    device = await pair(stack, flow.owner, await flow.now())

    await flow.request_inspection(1)
    await flow.accept(1, await flow.report(1, "pass"))  # the first key, still held
    flow.owner.key = device
    await flow.request_inspection(2)
    await flow.accept(2, await flow.report(2, "pass"))  # the second device
    assert [s.status for s in (await flow.state()).stages[:2]] == ["accepted", "accepted"]
    assert last_used(stack, flow.owner, device) is not None

    record(stack, flow.owner, device.sign_key_revoke(flow.owner.id, first.public_key_b64, await flow.now()))
    # the API token the first key asked for (at registration) ended with it: the device asks anew
    refused_token = await stack.http.get("/parties/me", headers=flow.owner.auth)
    assert refused_token.json()["detail"]["code"] == "token_revoked"
    await flow.owner.renew_token()
    assert await push_key_events(stack.temporal, stack.engine, flow.owner.id) == [flow.handle.id]
    # nothing new, or a party with no part here: refused by the validator, so no trace in history
    updates = await accepted_updates(flow)
    assert await push_key_events(stack.temporal, stack.engine, flow.owner.id) == []
    with pytest.raises(WorkflowUpdateFailedError) as stranger:
        await flow.handle.execute_update(EscrowWorkflow.learn_keys, KeysInput("P-NOBODY", []))
    assert stranger.value.cause.details[0]["code"] == "not_a_party"
    assert await accepted_updates(flow) == updates

    await flow.request_inspection(3)
    report_hash = await flow.report(3, "pass")
    amount = (await flow.state()).stages[2].amount_fen
    payload = {"stage": 3, "amount_fen": amount, "report_hash": report_hash}
    flow.owner.key = first
    await flow.refused(flow.send(flow.owner, steps.STAGE_ACCEPT, payload), 403, "bad_signature")
    # the escrow itself knows: the revoked key is refused even without the events
    stale = first.sign_step(
        action="stage.accept",
        subject=flow.escrow_id,
        signer=flow.owner.id,
        payload=payload,
        now=await flow.now(),
    )
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await flow.handle.execute_update(EscrowWorkflow.submit_step, StepInput(stale))
    assert refused.value.cause.details[0]["code"] == "bad_signature"
    flow.owner.key = device
    await flow.accept(3, report_hash)

    trail = await flow.handle.query(EscrowWorkflow.audit_trail)
    actions = [(e["action"], e["signer"]) for e in trail["entries"]]
    key_entries = [a for a in actions if a[0].startswith("key.")]
    assert key_entries == [("key.add", flow.owner.id), ("key.revoke", flow.owner.id)]
    add_at = actions.index(("key.add", flow.owner.id))
    assert actions[add_at + 1] == ("stage.accept", flow.owner.id)  # the second device's first step
    assert verify_trail(trail) == []
    exported = tmp_path / "audit.json"
    exported.write_text(json.dumps(trail), encoding="utf-8")
    assert verify_file(exported) == 0

    # the audit log the read model keeps holds the key entries too
    def stored() -> list[str]:
        with Session(stack.engine) as session:
            return [e.action for e in crud.list_audit_entries(session=session, subject_id=flow.escrow_id)]

    async def read() -> list[str]:
        return stored()

    await eventually(read, lambda actions: actions.count("stage.accept") == 3, "the projection", 20)
    assert {"key.add", "key.revoke"} <= set(stored())


async def test_a_claimants_second_device_signs_in_its_case(stack):
    flow, case, _ = await accepted_case(stack)
    flow.owner.key = await pair(stack, flow.owner, await flow.now(), "tablet")
    answer = await case.sign_settlement(flow.owner, 300_000, 300_000)
    assert answer["action"] == "settlement.sign"
    state = await case.state()
    assert state.settlement is not None and state.settlement.signed_by == ["claimant"]

    async def stored() -> list[tuple[str, str]]:
        with Session(stack.engine) as session:
            entries = crud.list_audit_entries(session=session, subject_id=case.case_id)
            return [(e.action, e.signer_role) for e in entries]

    entries = await eventually(stored, lambda e: ("settlement.sign", "claimant") in e, "the projection", 20)
    assert entries[-2:] == [("key.add", "claimant"), ("settlement.sign", "claimant")]
