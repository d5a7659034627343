"""A withdrawn case on the pages, over HTTP. The claimant's form carries what the escrow's
`dispute.withdraw` must say; once the claimant withdraws (signed from Python here, in chromium
in test_case_withdrawal_browser.py) the parties' and the council's case pages say who ended the
case and why, the case list says it was withdrawn, and the escrow's history names the step."""

from sqlmodel import Session

from client.escrow_session import eventually
from db import crud
from tests.kits.case_kit import accepted_case
from tests.kits.staff_kit import page, part, read_model_shows

REASON = "装修公司已返工，闭水试验合格"


async def test_a_withdrawn_case_says_who_ended_it_and_why(stack):
    flow, case, _ = await accepted_case(stack)
    await case.until("answer")
    path = f"/my/cases/{case.case_id}"

    form = part((await page(stack, path, flow.owner)).text, 'id="withdraw"', "</form>")
    assert 'data-step="case.withdraw"' in form and f'data-url="/cases/{case.case_id}/withdrawal"' in form
    assert f'name="escrow_id" value="{flow.escrow_id}"' in form and 'name="dispute" value="1"' in form
    assert "不能恢复" in form and f"您在托管 {flow.escrow_id} 中提出的争议随之撤回" in form
    assert 'id="withdraw"' not in (await page(stack, path, flow.contractor)).text

    await case.withdraw(REASON, case.withdrawal_escrow_step(flow.escrow_id, 1, await flow.now()))
    await case.until("closed")
    readers = [(path, flow.owner), (path, flow.contractor), (f"/council/cases/{case.case_id}", flow.council)]
    for shown_at, reader in readers:
        shown = (await page(stack, shown_at, reader)).text
        outcome = part(shown, 'id="outcome"')
        assert "申请人撤回投诉" in outcome and REASON in outcome, (shown_at, outcome)
        assert "托管中的争议已撤回" in outcome and "付给经营者" not in outcome  # no money moved
        assert "本案目前不等待任何一方的操作" in part(
            shown, 'id="waits-heading"', "</section>"
        )  # nobody owes a step
        assert 'data-step="' not in shown
    english = part((await page(stack, path, flow.owner, lang="en")).text, 'id="outcome"')
    assert "Withdrawn by the claimant" in english and "the frozen stages went back" in english

    await read_model_shows(stack, case.case_id, "closed")
    listed = (await page(stack, "/my/cases", flow.contractor)).text
    assert "本案目前不等待任何一方的操作" in part(listed, f'href="{path}"', "</li>")  # nobody owes a step

    async def audited() -> list[str]:
        with Session(stack.engine) as session:
            entries = crud.list_audit_entries(session=session, subject_id=flow.escrow_id)
        return [entry.action for entry in entries]

    await eventually(audited, lambda actions: "dispute.withdraw" in actions, "the withdrawal audited", 20)
    history = part((await page(stack, f"/my/escrows/{flow.escrow_id}", flow.contractor)).text, 'id="history"')
    assert "撤回争议" in history and "action.dispute.withdraw" not in history


async def test_a_case_ended_by_the_escrows_cancellation_says_so(stack):
    flow, case, _ = await accepted_case(stack)
    await flow.sign_cancellation(flow.owner, "we agreed to part ways")
    await flow.sign_cancellation(flow.contractor)
    await case.until("closed")
    for shown_at, reader in [
        (f"/my/cases/{case.case_id}", flow.contractor),
        (f"/council/cases/{case.case_id}", flow.council),
    ]:
        outcome = part((await page(stack, shown_at, reader)).text, 'id="outcome"')
        assert "双方解除了合同" in outcome and "已验收的工程款不退" in outcome, (shown_at, outcome)
        assert "付给经营者" not in outcome
    english = part(
        (await page(stack, f"/my/cases/{case.case_id}", flow.owner, lang="en")).text, 'id="outcome"'
    )
    assert "cancelled by both sides" in english
