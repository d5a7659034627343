"""Recovery when every key is lost, end to end on the real stack: the new device's request, the
council's identity check and two signatures, the waiting period on the workflow's durable timer
(fast-forwarded on the dev server), the party and the other parties told, and a surviving key's
cancellation. The rules themselves: tests/test_key_ring.py."""

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from activities.key_events import push_key_events
from cli.audit import verify_file
from client.escrow_session import eventually
from client.keys import PartyKey
from client.party import Party
from db import keys
from db.models import Party as PartyRow
from domain.audit import verify_trail
from domain.calendar import SHANGHAI
from domain.escrow.state import Phase
from domain.keys import KEY_RECOVER, key_id
from tests.conftest import Stack
from tests.kits.businesses import verified_business
from tests.kits.flow import COUNCIL_SECRET, EscrowFlow
from tests.kits.messages_kit import messages_stack
from tests.kits.recovery_kit import ID_NUMBER, Recovery, refusal
from tests.kits.security_world import car_case
from workflows.escrow import EscrowWorkflow
from workflows.key_recovery import KeyRecoveryWorkflow, key_recovery_workflow_id

WAIT_SECONDS = 30.0
OWNER_MAIL = "lost.every.key@example.com"


def active_keys(stack: Stack, party_id: str) -> list[str]:
    with Session(stack.engine) as session:
        party = session.get(PartyRow, party_id)
        assert party is not None
        return [key.public_key for key in keys.ring_of(session, party).active()]


async def inbox_kinds(party: Party) -> list[tuple[str, str | None]]:
    answer = (await party.http.get("/parties/me/notifications", headers=party.auth)).json()
    return [(n["kind"], n["subject_id"]) for n in answer["notifications"]]


async def second_member(stack: Stack) -> Party:
    return await Party(stack.http, "council", "Second council member").register(
        enrolment_secret=COUNCIL_SECRET
    )


def handle_of(stack: Stack, recovery: Recovery):
    return stack.temporal.get_workflow_handle_for(
        KeyRecoveryWorkflow.run, key_recovery_workflow_id(recovery.request_id)
    )


async def test_the_council_binds_a_new_key_after_the_waiting_period_and_the_other_side_is_told(
    stack: Stack, record_history
):
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)  # an open escrow: the contractor and inspector hear of it
    owner, first, second = flow.owner, flow.council, await second_member(stack)
    hours = stack.settings.recovery_waiting_hours
    recovery = await Recovery.requested(stack.http, owner.id)
    assert (await recovery.state())["state"] == "requested"

    approval = recovery.approval(first, hours)
    assert refusal(await recovery.approve(approval)) == (409, "identity_not_checked")
    assert refusal(await recovery.bind(second, approval)) == (409, "not_approved")  # nobody approved yet
    assert refusal(await recovery.check(owner)) == (403, "council_only")
    mismatch = await recovery.check(first, name_matched=False)
    assert mismatch.status_code == 200
    assert refusal(await recovery.approve(approval)) == (409, "identity_not_checked")
    assert (await recovery.check(first)).status_code == 200
    stranger = recovery.approval(flow.contractor, hours)
    assert refusal(await recovery.approve(stranger)) == (403, "not_council")
    assert refusal(await recovery.approve(recovery.approval(first, hours + 1))) == (422, "terms_mismatch")
    assert (await recovery.approve(approval)).status_code == 200

    # one member alone binds nothing: the approver's own binding is refused
    assert refusal(await recovery.bind(first, approval)) == (403, "one_council_member")
    assert (await recovery.state())["state"] == "approved"
    bound = await recovery.bind(second, approval)
    assert bound.status_code == 200, bound.json()
    assert bound.json()["state"] == "waiting"
    assert refusal(await recovery.bind(second, approval)) == (409, "not_approved")  # signed once

    # the ID number is in no column in clear, only its keyed hash
    with Session(stack.engine) as session:
        row = (
            session.execute(text("SELECT * FROM key_recovery WHERE id = :id"), {"id": recovery.request_id})
            .mappings()
            .one()
        )
    assert ID_NUMBER not in " ".join(str(value) for value in row.values())
    assert row["document_hash"] and len(row["document_hash"]) == 64
    assert (row["checked_by"], row["approved_by"], row["bound_by"]) == (first.id, first.id, second.id)

    handle = handle_of(stack, recovery)
    assert (await handle.query(KeyRecoveryWorkflow.status)).state == "waiting"
    await eventually(
        lambda: inbox_kinds(owner),
        lambda kinds: ("key_recovery_signed", None) in kinds,
        "the party told a recovery was signed",
        WAIT_SECONDS,
    )
    assert active_keys(stack, owner.id) == [owner.key.public_key_b64]  # nothing bound during the wait

    await stack.skipper.fast_forward(handle, timedelta(hours=hours, minutes=1))
    assert (await handle.result()).state == "done"
    assert (await recovery.state())["state"] == "done"
    assert active_keys(stack, owner.id) == [recovery.new_key.public_key_b64]  # every old key revoked
    for other in (flow.contractor, flow.inspector):
        await eventually(
            lambda other=other: inbox_kinds(other),
            lambda kinds: ("key_recovered", flow.escrow_id) in kinds,
            "the escrow's other parties told",
            WAIT_SECONDS,
        )
    assert refusal(await recovery.cancel(owner.key)) == (403, "bad_signature")  # the old key is gone
    await record_history(handle, "key_recovery_applied")


async def test_a_surviving_key_cancels_the_recovery_and_the_new_key_is_never_bound(
    stack: Stack, record_history
):
    owner = await Party(stack.http, "owner", "Owner with a surviving phone").register()
    first = await second_member(stack)
    second = await second_member(stack)
    hours = stack.settings.recovery_waiting_hours
    recovery = await Recovery.requested(stack.http, owner.id)
    await recovery.signed_by_two(first, second, hours)

    assert refusal(await recovery.cancel(PartyKey.generate())) == (403, "bad_signature")
    cancelled = await recovery.cancel(owner.key)
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    handle = handle_of(stack, recovery)
    result = await handle.result()
    assert (result.state, result.cancelled_by_key) == ("cancelled", key_id(owner.key.public_key_b64))
    assert (await recovery.state())["state"] == "cancelled"
    assert active_keys(stack, owner.id) == [owner.key.public_key_b64]
    with Session(stack.engine) as session:
        devices = [row.public_key for row in keys.keys_of(session, owner.id)]
    assert recovery.new_key.public_key_b64 not in devices
    assert refusal(await recovery.cancel(owner.key)) == (409, "recovery_state")
    await record_history(handle, "key_recovery_cancelled")


async def test_a_request_proves_the_new_key_and_binds_nothing_by_itself(stack: Stack):
    owner = await Party(stack.http, "owner", "Owner asking again").register()
    new = PartyKey.generate()
    forged = PartyKey.generate().sign_pairing(owner.id, "phone")
    forged.envelope["payload"]["public_key"] = new.public_key_b64
    body = {"party_id": owner.id, "pairing": {"envelope": forged.envelope, "signature": forged.signature}}
    assert refusal(await stack.http.post("/key-recoveries", json=body)) == (403, "no_possession")
    old = new.sign_pairing(owner.id, "phone", now=datetime.now().astimezone() - timedelta(hours=2))
    body = {"party_id": owner.id, "pairing": {"envelope": old.envelope, "signature": old.signature}}
    assert refusal(await stack.http.post("/key-recoveries", json=body)) == (409, "stale_timestamp")
    taken = owner.key.sign_pairing(owner.id, "phone")
    body = {"party_id": owner.id, "pairing": {"envelope": taken.envelope, "signature": taken.signature}}
    assert refusal(await stack.http.post("/key-recoveries", json=body)) == (409, "public_key_taken")
    for _ in range(3):
        await Recovery.requested(stack.http, owner.id)
    fresh = PartyKey.generate().sign_pairing(owner.id, "phone")
    body = {"party_id": owner.id, "pairing": {"envelope": fresh.envelope, "signature": fresh.signature}}
    assert refusal(await stack.http.post("/key-recoveries", json=body)) == (409, "too_many_recoveries")
    assert active_keys(stack, owner.id) == [owner.key.public_key_b64]


async def test_the_partys_verified_mail_is_told_at_once_with_the_time_and_the_way_to_cancel(
    temporal_env, tmp_path, thread_pool
):
    async with messages_stack(temporal_env.client, temporal_env, tmp_path, thread_pool) as messages:
        stack = messages.stack
        owner = await Party(stack.http, "owner", "Owner with mail").register()
        await messages.verify(owner, "email", OWNER_MAIL)
        first, second = await second_member(stack), await second_member(stack)
        recovery = await Recovery.requested(stack.http, owner.id)
        waiting = await recovery.signed_by_two(first, second, stack.settings.recovery_waiting_hours)
        mail = await messages.wait(
            "email", OWNER_MAIL, "the recovery's warning", lambda m: "key recovery was signed" in m.title
        )
        due = datetime.fromisoformat(waiting["effective_at"]).astimezone(SHANGHAI)
        assert recovery.request_id in mail.body and due.strftime("%Y-%m-%d %H:%M") in mail.body
        assert f"https://escrow.example.cn/recover/{recovery.request_id}" in mail.body


async def recovered(stack: Stack, party: Party, first: Party, second: Party) -> Recovery:
    """Every key of `party` lost: checked, signed by two members, waited out and applied."""
    recovery = await Recovery.requested(stack.http, party.id)
    await recovery.signed_by_two(first, second, stack.settings.recovery_waiting_hours)
    handle = handle_of(stack, recovery)
    # the warning first: a fast-forward begun while its message is on its way can stall
    await eventually(
        lambda: inbox_kinds(party),
        lambda kinds: ("key_recovery_signed", None) in kinds,
        "the party warned",
        WAIT_SECONDS,
    )
    await stack.skipper.fast_forward(
        handle, timedelta(hours=stack.settings.recovery_waiting_hours, minutes=1)
    )
    assert (await handle.result()).state == "done"
    return recovery


async def test_a_recovery_enters_the_open_escrows_trail_which_still_verifies_and_the_party_signs_on(
    stack: Stack, tmp_path: Path
):
    """The trail shows the recovery and `escrow audit --verify` proves it offline, even when a
    member who signed it joined the council after the escrow began (a two-year warranty outlives
    many a clerk); the party then signs its contract from the new device."""
    flow = await EscrowFlow(stack).register()
    await flow.create(total_fen=1_000_000)
    later_member = await second_member(stack)  # enrolled after the escrow started
    recovery = await recovered(stack, flow.owner, flow.council, later_member)
    # On the test server each workflow keeps its own clock: the escrow's is moved past the waiting
    # period too (it refuses a recovery still waiting), and the recovery's push is made again.
    await flow.fast_forward(timedelta(hours=stack.settings.recovery_waiting_hours, minutes=1))
    assert await push_key_events(stack.temporal, stack.engine, flow.owner.id) == [flow.handle.id]

    async def recovery_entries() -> list[dict]:
        trail = await flow.handle.query(EscrowWorkflow.audit_trail)
        return [e for e in trail["entries"] if e["action"] == KEY_RECOVER]

    entries = await eventually(recovery_entries, bool, "the recovery in the escrow's trail", WAIT_SECONDS)
    assert [(e["signer"], e["signer_role"]) for e in entries] == [(later_member.id, "council")]
    trail = await flow.handle.query(EscrowWorkflow.audit_trail)
    assert verify_trail(trail) == []
    exported = tmp_path / "audit.json"
    exported.write_text(json.dumps(trail), encoding="utf-8")
    assert verify_file(exported) == 0

    flow.owner.key = recovery.new_key
    await flow.sign_contract()
    assert (await flow.contractor.escrow(flow.escrow_id)).phase == Phase.FUNDING  # the old token went too


async def test_the_other_side_of_an_open_case_is_told_of_a_recovery(stack: Stack):
    """A buyer whose only process is a car case (no escrow) recovers: the dealer hears of it."""
    buyer = await Party(stack.http, "buyer", "Buyer who lost every key").register()
    dealer = await verified_business(stack.http, "dealer", "Dealer told of the recovery")
    case_id = await car_case(stack.http, buyer, dealer)

    async def listed() -> list[str]:
        return [row["case_id"] for row in (await stack.http.get("/cases", headers=buyer.auth)).json()]

    await eventually(listed, lambda ids: case_id in ids, "the case in the read model", WAIT_SECONDS)
    await recovered(stack, buyer, await second_member(stack), await second_member(stack))
    await eventually(
        lambda: inbox_kinds(dealer),
        lambda kinds: ("key_recovered", case_id) in kinds,
        "the case's other side told",
        WAIT_SECONDS,
    )
