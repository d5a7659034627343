"""The owner withdraws a renovation case from its case page in chromium: one confirmation, two
signatures made in the browser (the escrow's `dispute.withdraw`, then the case's `case.withdraw`
carrying it). The case closes as withdrawn and the escrow's dispute ends with it, read back over
the API: the stage it froze waits for the owner's acceptance again, and nothing was paid."""

import re

from playwright.async_api import Page, expect
from sqlmodel import Session

from api.error_catalogue import catalogue
from client.case_session import CaseSession
from db import crud
from domain.case.outcomes import DroppedOutcome
from domain.steps.signing import SignedStep, signature_is_valid
from tests.kits.driver import open_escrow, open_page, register, sign
from tests.kits.owner_kit import dispute_in_browser, funded_for_browser_owner
from tests.web.conftest import screenshot

TOTAL_FEN = 5_000_000
REASON = "装修公司已返工，闭水试验合格，不再需要调解"


async def file_from_the_escrow_page(owner: Page) -> str:
    """The owner takes the open dispute to the council; the browser then shows the new case."""
    form = 'form[data-step="claim.file"]'
    await owner.fill(f"{form} input[name=description]", "卫生间地面闭水试验渗漏")
    await owner.fill(f"{form} textarea[name=remedy_sought]", "退还第 1 阶段款项")
    await owner.select_option(f"{form} select[name=main_specialty]", "waterproofing")
    await sign(owner, form)
    await owner.wait_for_url("**/my/cases/CASE-*")
    return owner.url.rsplit("/", 1)[1]


async def test_the_owner_withdraws_a_case_and_its_escrow_dispute_in_the_browser(stack, new_context):
    owner, owner_id = await register(await new_context(), "owner", "王芳")
    flow = await funded_for_browser_owner(stack, owner, owner_id, TOTAL_FEN)
    await flow.request_inspection(1)
    await flow.report(1, "pass")
    await dispute_in_browser(owner, flow.escrow_id, 1, "卫生间地面渗水")
    case_id = await file_from_the_escrow_page(owner)
    case = CaseSession(stack.http, claimant=flow.owner, respondent=flow.contractor, council=flow.council)
    case.case_id = case_id  # filed in the browser; this session signs only the council's acceptance
    await case.accept()
    await case.until("answer")

    path = f"/my/cases/{case_id}"
    await open_page(owner, path)
    await owner.click("#withdraw summary")
    warning = owner.locator("#withdraw-warning")
    await expect(warning).to_contain_text(f"您在托管 {flow.escrow_id} 中提出的争议随之撤回")
    # No reason, no dialog: the page says so before anything is signed.
    await owner.click('form[data-step="case.withdraw"] button[type=submit]')
    await expect(owner.locator("#step-error")).to_contain_text("请写明理由")
    await expect(owner.locator("#confirm-step")).to_be_hidden()

    posted = []
    owner.on("request", lambda r: posted.append(r.post_data_json) if r.url.endswith("/withdrawal") else None)
    await owner.fill("#withdraw-reason", REASON)

    # The answer is lost on the way back: the next submit re-sends the very envelopes signed the
    # first time, the escrow's inside the case's, rather than signing a second withdrawal.
    async def lose_the_answer(route) -> None:
        await route.fetch()
        await route.abort()

    await owner.route("**/withdrawal", lose_the_answer)
    submit = 'form[data-step="case.withdraw"] button[type=submit]'
    await owner.click(submit)
    dialog = owner.locator("#confirm-step")
    await expect(dialog).to_be_visible()
    summary = await dialog.locator(".what").inner_text()
    for text in ["撤回投诉", case_id, REASON, "撤回争议 · " + flow.escrow_id, "托管争议: 1"]:
        assert text in summary, summary
    await screenshot(owner, "owner-withdraw-case-confirm")
    await owner.keyboard.press("Enter")
    await expect(owner.locator("#step-error")).to_contain_text("再按一次会重发同一份签名")
    await owner.unroute("**/withdrawal", lose_the_answer)
    await owner.click(submit)
    await expect(dialog).to_be_visible()
    await owner.keyboard.press("Enter")
    await expect(owner.locator("#step-error")).to_have_attribute(
        "data-code", re.compile("nonce_reused|case_closed")
    )
    said = (catalogue("zh-CN")["nonce_reused"], catalogue("zh-CN")["case_closed"])
    shown = await owner.locator("#step-error").inner_text()
    assert any(words in shown for words in said), shown
    outer, again = posted
    assert again == outer  # the case had taken the first: the same nonces, refused, never applied twice
    inner = outer["envelope"]["payload"]["escrow_step"]
    assert (outer["envelope"]["action"], outer["envelope"]["subject"]) == ("case.withdraw", case_id)
    assert (inner["envelope"]["action"], inner["envelope"]["subject"]) == ("dispute.withdraw", flow.escrow_id)
    assert outer["envelope"]["signer"] == inner["envelope"]["signer"] == owner_id
    assert inner["envelope"]["payload"] == {"dispute": 1, "case_id": case_id}
    assert outer["envelope"]["payload"]["reason"] == REASON
    with Session(stack.engine) as session:
        key = crud.get_party(session=session, party_id=owner_id).public_key
    assert signature_is_valid(key, SignedStep(**inner)) and signature_is_valid(key, SignedStep(**outer))

    closed = await case.until("closed")
    assert closed.outcome == DroppedOutcome(
        source="withdrawal",
        outcome="withdrawn",
        reason=REASON,
        pay_fen=0,
        refund_fen=0,
        remedy="-",
        rework_days=0,
    )
    # the escrow took the owner's step (accepted from mid-October on, the mediation period runs into
    # a year whose holiday notice may not be known yet: the council is then told it is provisional)
    assert [a for a in closed.alerts if a.kind != "provisional_deadline"] == []
    escrow = await flow.wait_for(lambda s: s.disputes[0].status == "withdrawn", "the dispute withdrawn")
    stage = escrow.stages[0]
    assert (stage.status, stage.dispute, stage.paid_fen) == ("awaiting_acceptance", None, 0)

    await open_page(owner, path)
    await expect(owner.locator("#outcome-source")).to_have_text("申请人撤回投诉")
    await expect(owner.locator("#outcome")).to_be_visible()
    assert await owner.locator("form[data-step]").count() == 0
    await screenshot(owner, "owner-case-withdrawn")
    await open_escrow(owner, flow.escrow_id)  # the frozen stage is the owner's to accept again
    await expect(owner.locator('form[data-step="stage.accept"]')).to_be_visible()
