"""The money statement's joining (domain/escrow/statement.py), on a real escrow machine driven by
signed steps, with a bank statement written the way the bank books what the escrow instructed."""

from datetime import UTC, datetime, timedelta

from domain.deposit_reference import deposit_reference
from domain.escrow.state import MovementReason, MovementStatus
from domain.escrow.statement import (
    BANK_DEPOSIT,
    DEPOSIT_RETURNED,
    FUNDING_EXPIRED,
    OWNER_SILENT,
    UNKNOWN,
    WARRANTY_EXPIRED,
    LineKind,
    Part,
    StatementLine,
    TrailStep,
    across,
    escrow_statement,
    totals,
)
from domain.escrow.terms import Durations, SilencePolicy
from sandbox_bank.client import StatementEntry
from tests.kits.machine_kit import Kit, funded

BOOKED_AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


def booked(tx_id: str, kind: str, amount_fen: int, key: str, reference: str, at: datetime) -> StatementEntry:
    return StatementEntry(tx_id, kind, amount_fen, key, reference, at, balance_after_fen=0)  # balance unused


def trail(kit: Kit) -> list[TrailStep]:
    """The machine's trail as the audit log stores it (the envelope's time stands in for recorded_at)."""
    return [
        TrailStep(e.seq, e.action, datetime.fromisoformat(e.envelope["timestamp"]), e.envelope["payload"])
        for e in kit.m.trail
    ]


def bank_of(kit: Kit) -> list[StatementEntry]:
    """What the bank booked: each deposit the machine recorded, and each movement it confirmed."""
    escrow = kit.m.escrow_id
    entries = [
        booked(
            tx,
            "deposit",
            amount,
            f"{escrow}:deposit-{n}",
            deposit_reference(escrow),
            BOOKED_AT + timedelta(minutes=n),
        )
        for n, (tx, amount) in enumerate(kit.m.deposits.items(), start=1)
    ]
    for n, movement in enumerate(kit.m.movements, start=10):
        if movement.status is MovementStatus.DONE:
            kind = "payout" if movement.kind == "payout" else "refund"
            at = BOOKED_AT + timedelta(hours=n)
            entries.append(
                booked(movement.tx_id, kind, movement.amount_fen, movement.key, movement.reason, at)
            )
    return entries


def by_key(lines: list[StatementLine]) -> dict[str, StatementLine]:
    return {line.key.removeprefix(f"{line.escrow_id}:"): line for line in lines if line.key}


def seq_of(kit: Kit, action: str, **payload: object) -> int:
    """The trail number of the last step of this action whose payload has these values."""
    return [
        e.seq
        for e in kit.m.trail
        if e.action == action and all(e.envelope["payload"].get(k) == v for k, v in payload.items())
    ][-1]


def test_every_kind_of_line_with_the_step_that_caused_it():
    kit = funded()  # stages 30,000 / 30,000 / 25,000 / 10,000 fen, retention 5,000
    kit.pass_stage(1)
    report = kit.inspected(2)
    holdbacks = [
        {"item": "tiles", "description": "hollow tiles", "amount_fen": 3_000},
        {"item": "socket", "description": "no earth", "amount_fen": 1_000},
    ]
    kit.step(
        "owner",
        "stage.accept_partial",
        {"stage": 2, "report_hash": report, "pay_fen": 26_000, "holdbacks": holdbacks},
    )
    kit.step("owner", "holdback.release", {"stage": 2, "items": ["tiles"], "amount_fen": 3_000})
    kit.settle()
    number = kit.dispute("owner", stages=[3])
    kit.decide(number, "split", pay_fen=20_000, refund_fen=5_000)
    kit.settle()
    kit.inspected(4)
    kit.accept(4)  # decided: the bank has not confirmed it yet
    lines = escrow_statement(kit.m.snapshot(), bank_of(kit), trail(kit))
    keys = by_key(lines)

    deposit = keys["deposit-1"]
    assert (deposit.kind, deposit.status, deposit.amount_fen) == (LineKind.DEPOSIT, "confirmed", 100_000)
    assert (deposit.cause.action, deposit.cause.seq, deposit.reference) == (
        BANK_DEPOSIT,
        None,
        deposit_reference(kit.m.escrow_id),
    )
    assert deposit.at == BOOKED_AT + timedelta(minutes=1) and deposit.tx_id == "dep-1"

    first = keys["stage-1:release"]
    assert (first.kind, first.status, first.amount_fen, first.part) == (
        LineKind.RELEASE,
        "confirmed",
        30_000,
        Part(stages=(1,)),
    )
    assert (first.cause.action, first.cause.seq) == ("stage.accept", seq_of(kit, "stage.accept", stage=1))
    assert first.tx_id == f"bank-{kit.m.escrow_id}:stage-1:release"
    assert first.reference == MovementReason.ACCEPTED

    partly = keys["stage-2:release"]
    assert (partly.amount_fen, partly.cause.action) == (26_000, "stage.accept_partial")
    signed_off = keys["stage-2:holdback-tiles:release"]
    assert (signed_off.amount_fen, signed_off.cause.action, signed_off.part) == (
        3_000,
        "holdback.release",
        Part(stages=(2,)),
    )
    assert signed_off.cause.seq == seq_of(kit, "holdback.release", stage=2)

    held_lines = sorted(
        (line for line in lines if line.kind is LineKind.HOLDBACK), key=lambda line: line.amount_fen
    )
    assert [(line.amount_fen, line.status) for line in held_lines] == [(1_000, "held"), (3_000, "released")]
    assert {line.cause.seq for line in held_lines} == {seq_of(kit, "stage.accept_partial", stage=2)}
    assert all(line.at is not None and line.key == "" and line.tx_id == "" for line in held_lines)

    pay, refund = keys[f"dispute-{number}:pay"], keys[f"dispute-{number}:refund"]
    assert (pay.kind, pay.amount_fen, refund.kind, refund.amount_fen) == (
        LineKind.RELEASE,
        20_000,
        LineKind.REFUND,
        5_000,
    )
    assert pay.cause == refund.cause and pay.cause.action == "dispute.decide"
    assert pay.part == Part(stages=(3,))

    pending = keys["stage-4:release"]
    step = seq_of(kit, "stage.accept", stage=4)
    assert (pending.status, pending.amount_fen, pending.reference, pending.tx_id) == (
        "pending",
        10_000,
        "",
        "",
    )
    assert pending.cause.seq == step and pending.at == trail(kit)[step - 1].recorded_at
    assert [line.at for line in lines] == sorted(line.at for line in lines)

    assert totals(lines).__dict__ == {
        "deposited_fen": 100_000,
        "released_fen": 30_000 + 26_000 + 3_000 + 20_000,
        "refunded_fen": 5_000,
        "pending_fen": 10_000,
        "held_back_fen": 1_000,
    }


def test_a_key_the_statement_does_not_know_is_listed_with_an_unknown_cause():
    kit = funded()
    stray = booked("tx-9", "payout", 1_234, "SOMETHING-ELSE:bonus", "manual correction", BOOKED_AT)
    lines = escrow_statement(kit.m.snapshot(), [*bank_of(kit), stray], trail(kit))
    [line] = [line for line in lines if line.tx_id == "tx-9"]
    assert (line.kind, line.status, line.amount_fen, line.cause.action, line.cause.seq) == (
        LineKind.RELEASE,
        "confirmed",
        1_234,
        UNKNOWN,
        None,
    )
    assert (line.reference, line.part) == ("manual correction", Part())


def test_the_bank_wins_over_the_snapshot_and_the_snapshot_stands_in_when_the_bank_is_silent():
    kit = funded()
    kit.inspected(1)
    kit.accept(1)
    booked_early = [
        *bank_of(kit),
        booked("tx-1", "payout", 30_000, f"{kit.m.escrow_id}:stage-1:release", "accepted", BOOKED_AT),
    ]
    lines = escrow_statement(kit.m.snapshot(), booked_early, trail(kit))  # receipt not back yet
    assert [(line.key, line.status) for line in lines if line.kind is LineKind.RELEASE] == [
        (f"{kit.m.escrow_id}:stage-1:release", "confirmed")
    ]

    kit.settle()
    silent = escrow_statement(kit.m.snapshot(), None, trail(kit))
    [release] = [line for line in silent if line.kind is LineKind.RELEASE]
    assert (release.status, release.reference, release.tx_id) == (
        "confirmed",
        "",
        f"bank-{kit.m.escrow_id}:stage-1:release",
    )
    assert release.at == release.cause.at is not None, "dated by the step that decided it"
    assert [line.kind for line in silent] == [LineKind.RELEASE], "deposits come from the bank alone"


def test_a_refused_payout_is_still_held_and_counted_as_pending():
    kit = funded()
    kit.inspected(1)
    kit.accept(1)
    key = f"{kit.m.escrow_id}:stage-1:release"
    kit.m.movement_failed(key, "account frozen", kit.now)
    [line] = [
        line for line in escrow_statement(kit.m.snapshot(), bank_of(kit), trail(kit)) if line.key == key
    ]
    assert line.status == "refused"
    assert totals([line]).pending_fen == 30_000


def test_what_no_signed_step_caused_names_the_event():
    silent = funded(policy=SilencePolicy.AUTO_ACCEPT)
    silent.inspected(1)
    silent.tick(timedelta(days=30))  # the owner never answers: accepted under the contract
    silent.settle()
    assert by_key(escrow_statement(silent.m.snapshot(), bank_of(silent), trail(silent)))[
        "stage-1:release"
    ].cause.action == (OWNER_SILENT)

    unfunded = Kit()
    unfunded.sign_contract()
    unfunded.deposit(1_000)
    unfunded.tick(timedelta(days=60))
    unfunded.deposit(500)  # after the close: sent back
    unfunded.settle()
    keys = by_key(escrow_statement(unfunded.m.snapshot(), bank_of(unfunded), trail(unfunded)))
    assert keys["funding-expired:refund"].cause.action == FUNDING_EXPIRED
    assert keys["deposit-dep-2:refund"].cause.action == DEPOSIT_RETURNED

    done = funded(durations=Durations())
    done.complete_all_stages()
    done.tick(timedelta(days=800))
    done.settle()
    retention = by_key(escrow_statement(done.m.snapshot(), bank_of(done), trail(done)))["retention:release"]
    assert (retention.cause.action, retention.part, retention.amount_fen) == (
        WARRANTY_EXPIRED,
        Part(retention=True),
        5_000,
    )


def test_a_mutual_cancellation_refund_names_the_second_signature():
    kit = funded()
    kit.step("owner", "cancel.sign", {"reason": "moving abroad"})
    kit.step("contractor", "cancel.sign", {"reason": "moving abroad"})
    kit.settle()
    refund = by_key(escrow_statement(kit.m.snapshot(), bank_of(kit), trail(kit)))["cancel:refund"]
    assert (refund.kind, refund.amount_fen, refund.cause.action) == (LineKind.REFUND, 100_000, "cancel.sign")
    assert refund.cause.seq == len(kit.m.trail)


def test_across_escrows_the_lines_come_in_date_order_and_the_undated_last():
    first, second, lapsed = funded(), funded(escrow_id="ESC-2026-00002"), Kit(escrow_id="ESC-2026-00003")
    second.inspected(1)
    second.accept(1)  # pending: dated by the owner's step, before the first escrow's deposit was booked
    lapsed.sign_contract()
    lapsed.deposit(1_000)
    lapsed.tick(timedelta(days=60))  # its refund is pending and no step dates it
    merged = across(
        [
            escrow_statement(first.m.snapshot(), bank_of(first), trail(first)),
            escrow_statement(second.m.snapshot(), None, trail(second)),
            escrow_statement(lapsed.m.snapshot(), None, trail(lapsed)),
        ]
    )
    assert [(line.escrow_id, line.kind) for line in merged] == [
        ("ESC-2026-00002", LineKind.RELEASE),
        ("ESC-2026-00001", LineKind.DEPOSIT),
        ("ESC-2026-00003", LineKind.REFUND),
    ]
    assert merged[-1].at is None and merged[-1].cause.action == FUNDING_EXPIRED
