"""Bank staff's pages over HTTP: deposits awaiting confirmation and the ledger, read from the bank."""

from uuid import uuid4

from client.party import Party, StepRefused
from domain.money import yuan
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import page, read_model_shows

BANK_ADMIN_TOKEN = "test-bank-admin"  # the stack's bank admin token doubles as the staff enrolment secret


async def test_bank_staff_enrol_only_with_the_banks_secret(stack):
    try:
        await Party(stack.http, "bank", "Impostor").register()
    except StepRefused as refused:
        assert (refused.status, refused.code) == (403, "enrolment_secret_required")
    else:
        raise AssertionError("a bank party enrolled without the secret")
    try:
        await Party(stack.http, "bank", "Impostor").register(enrolment_secret="test-council-secret")
    except StepRefused as refused:
        assert refused.code == "enrolment_secret_required"
    else:
        raise AssertionError("a bank party enrolled with the council's secret")


async def test_deposits_awaiting_confirmation_and_the_ledger(stack):
    staff = await Party(stack.http, "bank", "柜员 Li").register(enrolment_secret=BANK_ADMIN_TOKEN)
    funding = await EscrowFlow(stack).register()
    created = await funding.create(total_fen=1_234_567)
    await funding.sign_contract()
    await read_model_shows(stack, funding.escrow_id, "funding")
    # money for an account no escrow knows: the platform refuses the confirmation, so it waits
    orphan = f"ESC-2099-{uuid4().hex[:8]}"
    await stack.bank.open_account(orphan)
    await stack.bank.deposit(orphan, 50_001, "walk-in payer", "unmatched transfer", f"{orphan}:deposit-1")

    shown = await page(stack, "/bank", staff)
    assert shown.status_code == 200
    row = shown.text.split(orphan, 1)[1].split("</tr>", 1)[0]
    assert "¥500.01" in row and "unmatched transfer" in row
    waiting = shown.text.split(f"<h3>{funding.escrow_id}</h3>", 1)[1].split("</li>", 1)[0]
    total = sum(s["amount_fen"] for s in created["terms"]["stages"]) + created["terms"]["retention_fen"]
    assert waiting.count(yuan(total)) == 2 and "¥0.00" in waiting  # total and still to deposit; none received

    ledger = await page(stack, "/bank/ledger", staff)
    assert ledger.status_code == 200
    journal = await stack.bank.journal()
    assert "账簿平衡" in ledger.text
    assert yuan(journal.held_fen) in ledger.text and yuan(journal.totals_fen["deposit"]) in ledger.text
    assert f"{orphan}:deposit-1" in ledger.text and ledger.text.count('<svg class="chart"') == 2

    assert (await page(stack, "/bank", funding.owner)).status_code == 403
    assert (await page(stack, "/bank/ledger", funding.council)).status_code == 403
    anonymous = await page(stack, "/bank/ledger")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/signin?next=/bank/ledger")


async def test_staff_record_a_transfer_once_and_never_above_what_is_due(stack):
    staff = await Party(stack.http, "bank", "柜员 Wang").register(enrolment_secret=BANK_ADMIN_TOKEN)
    flow = await EscrowFlow(stack).register()
    created = await flow.create(total_fen=2_000_000)
    await flow.sign_contract()
    await read_model_shows(stack, flow.escrow_id, "funding")
    total = sum(s["amount_fen"] for s in created["terms"]["stages"]) + created["terms"]["retention_fen"]

    shown = await page(stack, "/bank", staff)
    form = shown.text.split(f'data-escrow-id="{flow.escrow_id}"', 1)[1].split("</form>", 1)[0]
    key = form.split('data-key="', 1)[1].split('"', 1)[0]
    assert key.startswith(f"{flow.escrow_id}:deposit-")
    assert (
        f'<label for="amount-{flow.escrow_id}">' in form
        and f'value="{total // 100}.{total % 100:02d}"' in form
    )

    def record(party: Party, amount_fen: int, idempotency_key: str = key):
        body = {"escrow_id": flow.escrow_id, "amount_fen": amount_fen, "idempotency_key": idempotency_key}
        return stack.http.post("/bank/deposits", json=body, headers=party.auth | {"Accept-Language": "zh-CN"})

    async def refused(response, status: int, code: str) -> str:
        answer = await response
        assert (answer.status_code, answer.json()["detail"]["code"]) == (status, code), answer.text
        return answer.json()["detail"]["message"]

    await refused(record(flow.owner, 1_000), 403, "bank_staff_only")
    await refused(record(staff, total + 1), 409, "amount_above_outstanding")
    await refused(record(staff, 1_000, "ESC-1999-00001:deposit-0123456789abcdef"), 422, "bad_idempotency_key")
    assert await stack.bank.statement(flow.escrow_id) == []  # nothing refused was booked

    first = await record(staff, 600_000)
    again = await record(staff, 600_000)  # a second click with the page's key
    assert first.status_code == again.status_code == 201
    assert again.json() == {"tx_id": first.json()["tx_id"], "replayed": True}
    fresh_key = f"{flow.escrow_id}:deposit-{'f' * 32}"
    above = await refused(record(staff, total - 600_000 + 1, fresh_key), 409, "amount_above_outstanding")
    assert (
        above == f"金额超过了托管账户尚待存入的数额：最多 {yuan(total - 600_000)}。"
    )  # the teller's language
    assert (await record(staff, total - 600_000, fresh_key)).status_code == 201

    await read_model_shows(stack, flow.escrow_id, "active")  # the bank confirmed both to the escrow
    assert [(e.kind, e.amount_fen) for e in await stack.bank.statement(flow.escrow_id)] == [
        ("deposit", 600_000),
        ("deposit", total - 600_000),
    ]
    await refused(record(staff, 1, f"{flow.escrow_id}:deposit-{'e' * 32}"), 409, "not_awaiting_deposit")
