"""A car claim's statutory remedy, from the buyer's browser to the chair's departure from it.

The buyer files with the car's facts on /my/cases/new, signing in her own browser; the case
computes the statutory remedy (read back over the API). The one panel member, whose key is made
in their own browser, finds it preselected in the summary form, picks another remedy, is refused
until the reasons are written, and signs them; the decision keeps the statutory remedy and the
reasons. The browsers' clocks follow the case workflow's fast-forwarded clock, as in
test_expert_vote_browser.py.
"""

from playwright.async_api import expect

from cli.dispute_demo import CaseClocks
from client.case_session import CaseSession
from client.party import Party
from tests.kits.businesses import verified_business
from tests.kits.car_case_kit import file_car_case
from tests.kits.driver import at_case_time, check_usable, register, sign, signed_in
from tests.kits.expert_kit import register_expert, seat_the_browser_expert, vote_by_script
from tests.kits.flow import COUNCIL_SECRET

DISPUTED = "4,800.00"  # under the small-claim threshold: one expert sits
SUMMARY = "变速器阀体密封圈渗油，由经销商免费修理。"
REASON = "拆检显示只是阀体密封圈渗油，换密封圈即可恢复，变速器总成不需要更换，第二十二条的前提不成立。"


async def test_a_chair_departs_from_the_statutory_remedy_with_reasons_in_the_browser(stack, new_context):
    clocks = CaseClocks(stack.temporal)
    registrar = await Party(stack.http, "council", "登记员").register(enrolment_secret=COUNCIL_SECRET)
    dealer = await verified_business(stack.http, "dealer", "八桂汽车销售有限公司")
    buyer, _ = await register(await new_context(), "buyer", "黄丽")
    expert, expert_party = await signed_in(await new_context(), "expert", "孙浩")
    await register_expert(stack, registrar, expert_party, "孙浩", dealer, "car", "transmission")

    case = CaseSession(stack.http, claimant=registrar, respondent=dealer, council=registrar, clock=clocks.now)
    case.case_id = await file_car_case(buyer, dealer.id, amount=DISPUTED)  # the session signs for the others
    statutory = (await case.state()).statutory_remedy
    assert (statutory["remedy"], statutory["rule"]) == (
        "refund_or_replace",
        "art22_main_assembly_within_7_days",
    )
    path = f"/expert/cases/{case.case_id}"

    async def declare() -> None:
        await at_case_time(expert, clocks, case.case_id, path)
        await sign(expert, 'form[data-step="declaration.sign"].choice-form')

    await case.accept()
    await case.answer("dealer-answer")
    await clocks.fast_forward(case.case_id, 10)  # negotiation ends without a settlement
    await seat_the_browser_expert(case, clocks, expert_party, declare)
    await clocks.fast_forward(case.case_id, 14)  # evidence and replies close
    await case.until("voting")
    opinion = {"findings": {"item-1": "upheld"}, "pay_fen": None, "reasons": "阀体密封圈渗油"}
    await vote_by_script(expert, clocks, case, expert_party, opinion)

    # -- the summary: the statutory remedy is preselected; departing from it needs the panel's reasons
    await at_case_time(expert, clocks, case.case_id, path)
    await expect(expert.locator("#statutory-remedy")).to_contain_text("退车或换车")
    remedy, reasons = expert.locator("#summary-remedy"), expert.get_by_label("偏离法定处理方式的理由")
    await expect(remedy).to_have_value("refund_or_replace")
    await expect(reasons).to_be_hidden()
    await expert.get_by_label("通俗摘要").fill(SUMMARY)
    await remedy.select_option("repair")
    await expect(reasons).to_be_visible()
    assert await reasons.evaluate("box => box.required")  # the browser itself refuses it empty
    await check_usable(expert)
    await reasons.fill("   ")  # blank words are no reasons: refused before anything is signed
    await expert.click('form[data-step="decision.summarise"] button[type=submit]')
    await expect(expert.locator("#step-error")).to_contain_text("请写明专家组偏离的理由")
    await expect(expert.locator("#confirm-step")).to_be_hidden()
    await remedy.select_option("refund_or_replace")  # back to the statutory remedy: no reasons asked
    await expect(reasons).to_be_hidden()
    assert not await reasons.evaluate("box => box.required")
    await remedy.select_option("repair")
    await reasons.fill(REASON)
    await sign(
        expert,
        'form[data-step="decision.summarise"]',
        expect_in_dialog=["法定处理方式（按买方所述事实）", "退车或换车", "维修", SUMMARY, REASON],
        screenshot_as="expert-summary-departure-confirm",
    )
    state = await case.until("signing")
    decision = state.rounds[-1].decision
    assert (decision.remedy, decision.departure_reason) == ("repair", REASON)
    assert decision.statutory_remedy == statutory
    await expect(expert.locator('form[data-step="decision.sign"] .departure-reason')).to_have_text(REASON)
