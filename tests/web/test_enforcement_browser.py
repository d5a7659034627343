"""The council enforces a panel's decision at the escrow from its case page in chromium: one
confirmation, two signatures made in the browser (the escrow's `dispute.decide`, then the
case's `enforcement.submit` carrying it). That the escrow then pays and refunds through the
bank is tested with Python-signed steps in tests/test_case_workflow.py."""

from playwright.async_api import expect
from sqlmodel import Session

from api.error_catalogue import message
from cli.dispute_demo import WINDOWS
from db import crud
from domain.money import yuan
from domain.steps.signing import SignedStep, signature_is_valid
from tests.kits.driver import at_case_time, check_usable, open_page, sign, signed_in
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import case_in_voting, decided

SUMMARY = "地面渗水属实，管接头不予支持。"


async def test_the_council_enforces_the_decision_at_the_escrow_in_the_browser(stack, new_context):
    # enrolled before the escrow and the case are made: both take the council's keys then
    council, council_id = await signed_in(await new_context(), "council", "调解委员会 执行员", COUNCIL_SECRET)
    disputed = await case_in_voting(stack)
    case, demo, flow = disputed.case, disputed.demo, disputed.flow
    decision_hash = await decided(disputed, (1_000_000, 1_500_000, 2_000_000), SUMMARY)
    await demo.skip(case, WINDOWS.objection_days, "nobody objects")
    concluded = await case.until("enforcement")
    pay, refund = concluded.outcome.pay_fen, concluded.outcome.refund_fen
    assert (pay, refund) == (1_500_000, disputed.disputed_fen - 1_500_000)

    # One confirmation, two signatures: the escrow's decision inside the case's enforcement step.
    posted = []
    council.on(
        "request", lambda r: posted.append(r.post_data_json) if r.url.endswith("/enforcement") else None
    )
    await at_case_time(council, demo.clocks, case.case_id, f"/council/cases/{case.case_id}")
    await expect(council.locator("#waits")).to_contain_text("调解委员会: 在托管中执行裁决")  # its open action
    await sign(
        council,
        'form[data-step="enforcement.submit"]',
        expect_in_dialog=["在托管中执行裁决", flow.escrow_id, yuan(pay), yuan(refund), decision_hash],
        screenshot_as="council-enforce-confirm",
    )
    [outer] = posted
    inner = outer["envelope"]["payload"]["escrow_step"]
    assert (outer["envelope"]["action"], outer["envelope"]["signer"]) == ("enforcement.submit", council_id)
    assert (inner["envelope"]["action"], inner["envelope"]["subject"]) == ("dispute.decide", flow.escrow_id)
    assert inner["envelope"]["payload"] == {
        "dispute": 1,
        "outcome": "split",
        "pay_fen": pay,
        "refund_fen": refund,
        "reasons": SUMMARY,
        "decision_hash": decision_hash,
    }
    with Session(stack.engine) as session:
        key = crud.get_party(session=session, party_id=council_id).public_key
    assert signature_is_valid(key, SignedStep(**inner)) and signature_is_valid(key, SignedStep(**outer))

    # The case took the step and handed it to the escrow. Here the escrow refuses it for its
    # time alone: the test fast-forwarded the case's clock 41 days and not the escrow's, which a
    # running child keeps from moving (in production both read the same time). The council is
    # told, and may sign again ...
    # (accepted from mid-October on, the mediation period runs into a year whose holiday notice may
    # not be known yet: the council is then also told that it is provisional)
    told = lambda s: [a for a in s.alerts if a.kind != "provisional_deadline"]  # noqa: E731
    refused = await case.wait_for(told, "the escrow's answer")
    assert [a.kind for a in told(refused)] == ["escrow_refused_decision"]
    assert (refused.escrow_refusal, refused.phase) == ("stale_timestamp", "enforcement")
    await open_page(council, f"/council/cases/{case.case_id}")
    await expect(council.locator('form[data-step="enforcement.submit"]')).to_have_count(1)
    # ... on the page, in words: the escrow's refusal above the form to sign again, the code as data
    refusal = council.locator("#enforce-refused")
    await expect(refusal).to_contain_text(message("stale_timestamp", "zh-CN") or "stale_timestamp")
    await expect(refusal).to_have_attribute("data-code", "stale_timestamp")
    assert "stale_timestamp" not in await refusal.inner_text()
    await check_usable(council)
