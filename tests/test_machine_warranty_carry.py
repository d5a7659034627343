"""An escrow carried into its warranty run: the same escrow, the same chain, the same checks."""

from datetime import timedelta

import pytest
from temporalio.converter import DataConverter

from domain.audit import verify_trail, whole_trail
from domain.escrow.machine import EscrowMachine
from domain.escrow.state import MovementKind
from domain.steps.rejections import RejectionKind, StepRejected
from domain.steps.signing import SignedStep
from tests.kits.machine_kit import MAX_SKEW, RETENTION, TOTAL, Kit, export, funded
from workflows.escrow_types import EscrowInput

CONFLICT = RejectionKind.CONFLICT


def into_warranty() -> tuple[Kit, SignedStep]:
    """Every stage done; returns the owner's last acceptance, the step that began the warranty."""
    kit = funded()
    for number in (1, 2, 3):
        kit.pass_stage(number)
    kit.tick(timedelta(hours=1))  # the last stage's three steps are the only ones signed within the window
    kit.inspected(4)
    last = kit.sign("owner", "stage.accept", kit.accept_payload(4))
    kit.submit(last)
    kit.settle()
    assert kit.m.phase == "warranty"
    return kit, last


def continue_as_new(kit: Kit) -> EscrowMachine:
    """What the workflow does at the switch: the carry goes through Temporal's converter as the
    new run's input, and the new run's machine takes it up. Returns the first run's machine."""
    first = kit.m
    sent = EscrowInput(
        kit.terms, council_keys=dict(first.council_keys), carried=first.warranty_carry(kit.now)
    )
    converter = DataConverter.default.payload_converter
    [received] = converter.from_payloads(converter.to_payloads([sent]), [EscrowInput])
    assert received == sent
    kit.m = EscrowMachine(
        received.terms, council_keys=received.council_keys, created_at=kit.now, max_skew=MAX_SKEW
    )
    assert received.carried is not None
    kit.m.continue_from(received.carried)
    kit.check()
    return first


def test_the_warranty_run_shows_the_same_escrow_and_goes_on_with_its_chain():
    kit, _ = into_warranty()
    first = continue_as_new(kit)
    assert kit.m.snapshot() == first.snapshot()  # every page reads the whole life as before
    assert kit.m.trail == [] and kit.m.next_deadline() == first.next_deadline()

    kit.step("owner", "warranty.claim", {"description": "bathroom leak", "amount_fen": 2_000})
    [entry] = kit.m.trail
    assert (entry.seq, entry.prev_hash) == (len(first.trail) + 1, first.trail_head)
    assert kit.m.snapshot().trail_length == len(first.trail) + 1

    whole = whole_trail(export(kit.m), first.trail_records(0))
    assert [e["seq"] for e in whole["entries"]] == list(range(1, len(first.trail) + 2))
    assert verify_trail(whole) == []
    assert verify_trail(export(kit.m)) != []  # this run's entries alone do not start at the terms


def test_claims_expiry_and_withdrawal_in_the_warranty_run_conserve_the_money():
    kit, _ = into_warranty()
    continue_as_new(kit)
    kit.step("owner", "warranty.claim", {"description": "bathroom leak", "amount_fen": 2_000})
    kit.run_to(kit.m.retention.warranty_due)
    assert kit.pending() == {"retention:release": (MovementKind.PAYOUT, RETENTION - 2_000)}
    kit.settle()
    kit.step("owner", "warranty.withdraw", {"claim": 1})
    kit.settle()
    assert kit.m.finished and kit.ledger == (TOTAL, TOTAL, 0, 0)
    assert len(set(kit.movements())) == len(kit.m.movements)  # no business key instructed twice


def test_a_step_from_before_the_switch_is_refused_by_its_nonce_inside_the_window_by_its_age_before():
    kit, last = into_warranty()
    first = continue_as_new(kit)
    recent = {entry.envelope["nonce"] for entry in first.trail[-3:]}
    assert last.envelope["nonce"] in recent and kit.m.nonces == recent < first.nonces
    kit.refused(last, CONFLICT, "nonce_reused")
    old = SignedStep(envelope=first.trail[0].envelope, signature=first.trail[0].signature)
    kit.refused(old, CONFLICT, "stale_timestamp")  # its nonce was never carried: its age refuses it


def test_a_re_sent_deposit_confirmation_is_still_a_duplicate_in_the_warranty_run():
    kit, _ = into_warranty()
    continue_as_new(kit)
    [tx_id] = kit.m.deposits
    with pytest.raises(StepRejected) as caught:
        kit.m.check_deposit(tx_id, TOTAL)
    assert caught.value.code == "deposit_already_recorded"
