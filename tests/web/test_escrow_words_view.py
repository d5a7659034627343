"""What the escrow lists and the escrow page say, without a browser: whom a listed escrow waits for
(the reader's own action, or someone else's named with whose it is), what each stage holds only once
it is deposited, and what the deposit step's QR code says."""

import json
from datetime import UTC, datetime

from api.deposit_instructions import deposit_instructions, deposit_qr_text
from api.qr import qr_svg
from config.settings import Settings
from db.models import EscrowProjection
from domain.deposit_reference import deposit_reference
from domain.escrow.snapshot import summary_document
from domain.money import yuan
from tests.kits.machine_kit import RETENTION, STAGES, Kit, funded
from web.escrow_list import Awaited, escrow_list_row
from web.escrow_view import retention_view, stage_views


def stored(kit: Kit) -> EscrowProjection:
    """The read model's row for the kit's escrow, as the projection writes it."""
    snapshot = kit.m.snapshot()
    ledger = snapshot.ledger
    return EscrowProjection(
        escrow_id=snapshot.escrow_id,
        workflow_id=f"escrow-{snapshot.escrow_id}",
        owner_id=snapshot.owner_id,
        contractor_id=snapshot.contractor_id,
        inspector_id=snapshot.inspector_id,
        status=snapshot.phase,
        total_fen=snapshot.contract_total_fen,
        deposited_fen=ledger.deposited_fen,
        released_fen=ledger.released_fen,
        refunded_fen=ledger.refunded_fen,
        held_fen=ledger.held_fen,
        version=snapshot.version,
        summary_json=json.dumps(summary_document(snapshot)),
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_a_listed_escrow_marks_only_the_readers_own_actions_and_names_whose_the_others_are():
    kit = Kit()
    owner, contractor, inspector = (kit.ids[role] for role in ("owner", "contractor", "inspector"))
    both_sign = escrow_list_row(stored(kit), owner)
    assert both_sign.title == "Flat 3-2-501 full renovation"
    assert both_sign.others == [("contractor", contractor)]
    assert both_sign.awaited == [
        Awaited("owner", "contract.sign", True),
        Awaited("contractor", "contract.sign", False),
    ]

    kit.sign_contract()
    for reader, yours in ((owner, True), (contractor, False), (inspector, False)):
        row = escrow_list_row(stored(kit), reader)
        assert row.awaited == [Awaited("owner", "deposit", yours)], reader
        assert row.yours is yours
    assert escrow_list_row(stored(kit), inspector).others == [("owner", owner), ("contractor", contractor)]
    assert escrow_list_row(stored(kit), contractor).others == [("owner", owner)]

    kit.deposit(kit.m.contract_total_fen)
    assert escrow_list_row(stored(kit), contractor).awaited == [
        Awaited("contractor", "inspection.request", True)
    ]
    assert escrow_list_row(stored(kit), owner).awaited == [Awaited("contractor", "inspection.request", False)]


def test_a_stage_holds_money_only_once_it_is_deposited():
    kit = Kit()
    kit.sign_contract()
    before = stage_views(kit.m.snapshot())
    assert [(s.held_fen, s.to_deposit_fen) for s in before] == [(0, amount) for amount in STAGES]
    assert retention_view(kit.m.snapshot()).to_deposit_fen == RETENTION

    kit.deposit(STAGES[0] + 1_000)  # part of the money: the first stage, and a little of the second
    partly = stage_views(kit.m.snapshot())
    assert [(s.held_fen, s.to_deposit_fen) for s in partly][:2] == [
        (STAGES[0], 0),
        (1_000, STAGES[1] - 1_000),
    ]
    assert retention_view(kit.m.snapshot()).held_fen == 0

    done = funded()
    assert [(s.held_fen, s.to_deposit_fen) for s in stage_views(done.m.snapshot())] == [
        (a, 0) for a in STAGES
    ]
    assert (retention_view(done.m.snapshot()).held_fen, retention_view(done.m.snapshot()).to_deposit_fen) == (
        RETENTION,
        0,
    )


def test_money_on_its_way_out_is_no_longer_held_for_the_stage():
    kit = funded()
    kit.pass_stage(1)  # accepted: the release is instructed, the bank has not paid it yet
    first = stage_views(kit.m.snapshot())[0]
    assert (first.held_fen, first.to_deposit_fen) == (0, 0)
    assert stage_views(kit.m.snapshot())[1].held_fen == STAGES[1]


def test_the_deposit_qr_code_says_the_bank_the_account_the_reference_and_the_amount():
    kit = Kit()
    kit.sign_contract()
    settings = Settings(bank_name="招商银行 深圳分行", bank_account_holder="先装修后付款资金监管户")
    text = deposit_qr_text(deposit_instructions(kit.m.snapshot(), settings))
    assert text == "\n".join(
        (
            "bank: 招商银行 深圳分行",
            "holder: 先装修后付款资金监管户",
            f"account: {kit.m.escrow_id}",
            f"reference: {deposit_reference(kit.m.escrow_id)}",
            f"amount: {yuan(kit.m.contract_total_fen)}",
        )
    )
    assert settings.bank_url not in text
    svg = qr_svg(text)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
