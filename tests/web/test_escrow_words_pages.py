"""What the escrow and case lists and the escrow page say, read over real HTTP with each party's page
session: titles, the other side by name, the money held, and "waiting for you" only for the party an
action is for (the others are told whose it is); the deposit step only for the owner, with the bank by
its name, the account, the escrow's own reference and a QR code of them; a stage's money held only once
deposited; each role's own hint on its case list; the public record in words, never codes."""

from api.qr import qr_svg
from client.escrow_session import eventually
from domain.deposit_reference import deposit_reference
from domain.money import yuan
from tests.kits.flow import EscrowFlow
from tests.kits.staff_kit import filed_case, page, part, read_model_shows

TOTAL_FEN = 1_000_000
TITLE = "Flat 3-2-501 full renovation"


async def list_card(stack, party, escrow_id: str, language: str = "zh-CN") -> str:
    listed = await page(stack, "/my/escrows", party, lang=language)
    assert listed.status_code == 200
    return part(listed.text, f'id="row-{escrow_id}"', "</li>")


async def card_saying(stack, party, escrow_id: str, words: str) -> str:
    """The party's list card for the escrow once the read model has caught up with `words`."""
    return await eventually(
        lambda: list_card(stack, party, escrow_id), lambda card: words in card, f"{words!r} in the list", 20.0
    )


def deposit_qr_says(stack, escrow_id: str, due_fen: int) -> str:
    """What the owner's deposit QR code must say: the bank by its name, never its URL."""
    return "\n".join(
        (
            f"bank: {stack.settings.bank_name}",
            f"holder: {stack.settings.bank_account_holder}",
            f"account: {escrow_id}",
            f"reference: {deposit_reference(escrow_id)}",
            f"amount: {yuan(due_fen)}",
        )
    )


async def test_the_lists_and_the_deposit_step_name_whose_turn_it_is(stack):
    flow = await EscrowFlow(stack).register()
    created = await flow.create(total_fen=TOTAL_FEN)
    escrow_id = flow.escrow_id
    owner, contractor, inspector = flow.owner, flow.contractor, flow.inspector

    # Draft: both sides must sign; each is told it is their turn.
    await read_model_shows(stack, escrow_id, "draft")
    for party in (owner, contractor):
        assert "等您处理：签署合同" in await list_card(stack, party, escrow_id)

    await flow.sign_contract()
    await read_model_shows(stack, escrow_id, "funding")
    mine = await card_saying(stack, owner, escrow_id, "等您处理：存入资金")
    assert TITLE in mine and f"装修公司：{contractor.name}" in mine
    assert '<dd class="row-held">¥0.00</dd>' in mine
    theirs = await list_card(stack, contractor, escrow_id)
    assert "等待业主存入资金" in theirs and "等您处理" not in theirs
    assert f"业主：{owner.name}" in theirs and contractor.name not in theirs
    inspectors = await list_card(stack, inspector, escrow_id)
    assert owner.name in inspectors and contractor.name in inspectors
    assert "Waiting for you: deposit the money" in await list_card(stack, owner, escrow_id, "en")

    # The deposit step is the owner's alone: where to pay (the bank by its name; its URL only in the
    # sandbox's curl example), what, the escrow's reference, and its QR code.
    owner_page = (await page(stack, f"/my/escrows/{escrow_id}", owner)).text
    step = part(owner_page, 'id="deposit-instructions"', "</details>")
    facts, sandbox = step.split("<details", 1)
    assert f'<dd id="deposit-bank">{stack.settings.bank_name}</dd>' in facts
    assert f'<dd id="deposit-holder">{stack.settings.bank_account_holder}</dd>' in facts
    assert stack.settings.bank_url not in facts and f"curl -X POST {stack.settings.bank_url}/" in sandbox
    assert f'<dd id="deposit-account">{escrow_id}</dd>' in facts
    assert f'<dd id="deposit-amount">{yuan(TOTAL_FEN)}</dd>' in facts
    assert f'<dd id="deposit-reference">{deposit_reference(escrow_id)}</dd>' in facts
    assert f'"reference": "{deposit_reference(escrow_id)}"' in sandbox
    assert f'src="/my/escrows/{escrow_id}/deposit-qr.svg"' in step
    for party in (contractor, inspector):
        shown = (await page(stack, f"/my/escrows/{escrow_id}", party)).text
        assert 'id="deposit-instructions"' not in shown and 'src="/my/escrows/' not in shown
        assert f"等待业主存入 {yuan(TOTAL_FEN)}" in part(shown, 'id="wait-deposit"', "</p>")

    # Nothing is held before the deposit: each stage says what is still to be deposited.
    amounts = [stage["amount_fen"] for stage in created["terms"]["stages"]]
    timeline = part(owner_page, 'id="timeline"', "</ol>")
    assert 'class="stage-held"' not in timeline
    for amount in amounts:
        assert f'<dd class="stage-to-deposit to-deposit">{yuan(amount)}</dd>' in timeline
    assert "待存入 " + yuan(created["terms"]["retention_fen"]) in timeline

    # The QR code is served to the owner, as an SVG; to no one else.
    qr = await page(stack, f"/my/escrows/{escrow_id}/deposit-qr.svg", owner)
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text == qr_svg(deposit_qr_says(stack, escrow_id, TOTAL_FEN))
    for party in (contractor, inspector):
        refused = await page(stack, f"/my/escrows/{escrow_id}/deposit-qr.svg", party)
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "deposit_owner_only"

    # Once funded: the stages hold their money, and the list says it is the contractor's turn.
    await flow.deposit(TOTAL_FEN)
    await read_model_shows(stack, escrow_id, "active")
    funded_page = (await page(stack, f"/my/escrows/{escrow_id}", owner)).text
    timeline = part(funded_page, 'id="timeline"', "</ol>")
    assert "to-deposit" not in timeline and 'id="deposit-instructions"' not in funded_page
    assert [f'<dd class="stage-held">{yuan(a)}</dd>' in timeline for a in amounts] == [True] * len(amounts)
    assert f'<dd class="row-held">{yuan(TOTAL_FEN)}</dd>' in await card_saying(
        stack, owner, escrow_id, "等待装修公司申请验收"
    )
    assert "等您处理：申请验收" in await list_card(stack, contractor, escrow_id)


async def test_two_escrows_quote_their_own_references_on_the_page_and_in_the_qr_code(stack):
    flow = await EscrowFlow(stack).register()
    totals = {}
    for total in (TOTAL_FEN, 2 * TOTAL_FEN):
        await flow.create(total_fen=total)
        await flow.sign_contract()
        totals[flow.escrow_id] = total
    references = {escrow_id: deposit_reference(escrow_id) for escrow_id in totals}
    assert len(set(references.values())) == 2
    for escrow_id, total in totals.items():
        await read_model_shows(stack, escrow_id, "funding")
        step = part(
            (await page(stack, f"/my/escrows/{escrow_id}", flow.owner)).text, 'id="deposit-instructions"'
        )
        assert f'<dd id="deposit-reference">{references[escrow_id]}</dd>' in step
        assert f'<dd id="deposit-bank">{stack.settings.bank_name}</dd>' in step
        assert (
            f"{stack.settings.bank_name}，托管账号 {escrow_id}，附言 {references[escrow_id]}" in step
        )  # the QR's alt
        [other] = set(references.values()) - {references[escrow_id]}
        assert other not in step
        qr = await page(stack, f"/my/escrows/{escrow_id}/deposit-qr.svg", flow.owner)
        assert qr.text == qr_svg(deposit_qr_says(stack, escrow_id, total))


async def test_case_lists_show_what_each_case_is_about_the_other_side_and_each_roles_own_hint(stack):
    disputed = await filed_case(stack)
    case, flow = disputed.case, disputed.flow
    await read_model_shows(stack, case.case_id, "filed")
    for party, other, hint in (
        (flow.owner, flow.contractor, "托管中的争议请在该托管的页面上"),
        (flow.contractor, flow.owner, "业主就托管争议提交的调解申请会列在这里"),
    ):
        listed = (await page(stack, "/my/cases", party)).text
        assert hint in part(listed, 'id="role-hint"', "</p>") and "购车人" not in listed
        card = part(listed, f'href="/my/cases/{case.case_id}"', "</li>")
        assert TITLE in card and other.name in card and yuan(disputed.disputed_fen) in card
    council = (await page(stack, "/council", flow.council)).text
    assert TITLE in part(council, f'href="/council/cases/{case.case_id}"', "</tr>")


async def test_public_pages_name_categories_in_words(stack):
    disputed = await filed_case(stack)
    await read_model_shows(stack, disputed.case.case_id, "filed")
    for language, words in (("zh-CN", "装修 · 防水"), ("en", "Renovation · Waterproofing")):
        shown = (await page(stack, "/public", lang=language)).text
        assert words in shown and "renovation/" not in shown and "car/" not in shown
