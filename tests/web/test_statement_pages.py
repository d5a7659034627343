"""The money statements through the real stack (API, Temporal, the sandbox bank, the read model):
an escrow driven through a deposit, a release, a partial acceptance with holdback, a holdback
signed off and a mutual cancellation's refund; its statement as a page and as CSV; the
contractor's statement across escrows; and who may not read them. The joining itself is
tests/test_money_statement.py; the page on a phone and in print is test_statement_browser.py."""

import csv
import io
import re

from client.escrow_session import eventually
from domain.calendar import SHANGHAI
from domain.money import yuan
from domain.spreadsheet import FORMULA_STARTS
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import page
from tests.kits.statement_kit import HOLDBACKS, TITLE, TOTAL_FEN, lived_through
from web.server_text import movement_reason


def rows_of(response) -> list[list[str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def test_an_escrows_statement_as_a_page_and_as_csv(stack):
    flow = await lived_through(stack)
    escrow = flow.escrow_id
    bank = {entry.idempotency_key: entry for entry in await stack.bank.statement(escrow)}
    state = await flow.state()
    stage_1, stage_2 = (s.amount_fen for s in state.stages[:2])
    released = stage_1 + stage_2 - 10_000
    refunded = TOTAL_FEN - released

    shown = await page(stack, f"/my/escrows/{escrow}/statement", flow.contractor)
    assert shown.status_code == 200
    text = shown.text
    assert f'<dd id="total-deposited">{yuan(TOTAL_FEN)}</dd>' in text
    assert f'<dd id="total-released">{yuan(released)}</dd>' in text
    assert f'<dd id="total-refunded">{yuan(refunded)}</dd>' in text
    assert f'<dd id="total-held-back">{yuan(0)}</dd>' in text  # the unsigned holdback went back with the rest
    for key in ("stage-1:release", "stage-2:release", "stage-2:holdback-tiles:release", "cancel:refund"):
        assert f"<code>{bank[f'{escrow}:{key}'].tx_id}</code>" in text, key
    assert text.count('<tr class="line status-') == len(bank) + len(HOLDBACKS)
    for words in (
        "存入",
        "付给装修公司",
        "暂扣",
        "退给业主",
        "确认整改，支付暂扣款",
        "签署解除合同",
        "业主的银行转账",
    ):
        assert words in text, words
    steps = set(re.findall(rf'href="/my/escrows/{escrow}#step-(\d+)"', text))
    escrow_page = (await page(stack, f"/my/escrows/{escrow}", flow.contractor)).text
    assert steps and all(f'<li id="step-{seq}">' in escrow_page for seq in steps), (
        "each cause links to its entry"
    )
    assert f'href="/my/escrows/{escrow}/statement"' in escrow_page

    english = await page(stack, f"/my/escrows/{escrow}/statement.csv", flow.owner, lang="en")
    assert english.status_code == 200
    header, *rows = rows_of(english)
    assert header[:6] == ["Date (Beijing time)", "Escrow", "Project", "Kind", "Status", "Amount (¥)"]
    assert len(rows) == len(bank) + len(HOLDBACKS)
    assert all(not cell.startswith(FORMULA_STARTS) for row in [header, *rows] for cell in row)
    assert {row[2] for row in rows} == {"'" + TITLE}, "the title is text, not a formula"
    by_tx = {row[7]: row for row in rows if row[7]}
    for entry in bank.values():
        row = by_tx[entry.tx_id]
        assert row[5] == f"{entry.amount_fen // 100}.{entry.amount_fen % 100:02d}"
        assert row[6] == movement_reason("en", entry.reference)  # ours in words, a payer's as typed
        assert row[0] == entry.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    tiles = by_tx[bank[f"{escrow}:stage-2:holdback-tiles:release"].tx_id]
    assert tiles[6] == "The owner signed off a held-back defect"
    assert tiles[3:5] == ["Payment to the contractor", "confirmed by the bank"]
    assert tiles[8:10] == ["Sign off held-back items and release them", f"Stage 2 {state.stages[1].name}"]
    assert re.fullmatch(rf"http://[^/]+/my/escrows/{escrow}#step-\d+", tiles[11]), tiles[11]
    held = sorted((row[5], row[4]) for row in rows if row[3] == "Held back")
    assert held == [("100.00", "refunded to the owner"), ("300.00", "paid since")]

    chinese = rows_of(await page(stack, f"/my/escrows/{escrow}/statement.csv", flow.contractor))
    assert chinese[0][:3] == ["日期（北京时间）", "托管编号", "项目"]


async def test_a_contractors_statement_across_their_escrows_and_no_one_elses(stack):
    mine, theirs = await EscrowFlow(stack).register(), await EscrowFlow(stack).register()
    await mine.create_funded(total_fen=TOTAL_FEN, title="第一套")
    await mine.pass_stage(1)
    second = EscrowFlow(stack)
    second.owner, second.contractor, second.inspector, second.council = (
        theirs.owner,
        mine.contractor,
        theirs.inspector,
        theirs.council,
    )
    await second.create_funded(total_fen=TOTAL_FEN, title="第二套")
    await theirs.create_funded(total_fen=TOTAL_FEN, title="别人的")
    await mine.settled()

    async def across():
        return rows_of(await page(stack, "/my/statement.csv", mine.contractor))[1:]

    rows = await eventually(across, lambda rows: len(rows) == 3, "both escrows in the read model", 20.0)
    assert sorted((row[1], row[3]) for row in rows) == sorted(
        [(mine.escrow_id, "存入"), (mine.escrow_id, "付给装修公司"), (second.escrow_id, "存入")]
    )
    shown = await page(stack, "/my/statement", mine.contractor)
    assert shown.status_code == 200 and theirs.escrow_id not in shown.text
    assert 'href="/my/statement"' in (await page(stack, "/my/escrows", mine.contractor)).text

    owners = rows_of(await page(stack, "/my/statement.csv", theirs.owner))[1:]
    assert {row[1] for row in owners} <= {theirs.escrow_id, second.escrow_id}

    for path in (f"/my/escrows/{mine.escrow_id}/statement", f"/my/escrows/{mine.escrow_id}/statement.csv"):
        assert (await page(stack, path, theirs.contractor)).status_code == 403, path
    for path in ("/my/statement", "/my/statement.csv"):
        assert (await page(stack, path, mine.inspector)).status_code == 403, path
        assert (await page(stack, path)).status_code == 303, path


async def test_a_release_the_bank_has_not_confirmed_shows_as_pending(stack):
    flow = await EscrowFlow(stack).register()
    await flow.create_funded(total_fen=TOTAL_FEN)
    await flow.request_inspection(1)
    report = await flow.report(1, "pass")
    await stack.bank.set_faults(error_rate=1.0)  # every payout fails, and is retried with its key
    try:
        await flow.accept(1, report)
        stage = (await flow.state()).stages[0].amount_fen
        text = (await page(stack, f"/my/escrows/{flow.escrow_id}/statement", flow.contractor)).text
        rows = rows_of(await page(stack, f"/my/escrows/{flow.escrow_id}/statement.csv", flow.contractor))[1:]
    finally:
        await stack.bank.set_faults()
    assert f'<dd id="total-pending">{yuan(stage)}</dd>' in text
    assert f'<dd id="total-released">{yuan(0)}</dd>' in text
    assert text.count('<tr class="line status-pending">') == 1
    pending = [row for row in rows if row[4] == "已决定，等待银行处理"]
    assert [(row[3], row[5], row[6], row[7], row[8]) for row in pending] == [
        ("付给装修公司", f"{stage // 100}.{stage % 100:02d}", "", "", "确认阶段并全额付款")
    ]
    assert pending[0][0], "dated by the owner's acceptance"
    await flow.settled()
