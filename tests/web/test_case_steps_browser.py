"""A case from acceptance to the council's countersignature, every signed step a click in chromium.

The council member and the expert each make their key in their own browser context, so only
those pages can sign for them: the council accepts the case on its case page, the expert
declares independence, writes the chair's summary and signs the decision on theirs, and the
council countersigns. Every step goes through the plain-words dialog (confirmed with Enter);
the case's phase is then read back over the API. The browsers' clocks follow the case
workflow's fast-forwarded clock, as in test_expert_vote_browser.py.
"""

import hashlib

from playwright.async_api import expect

from cli.dispute_demo import CaseClocks
from client.party import Party
from domain.case.state import JointInspection
from tests.kits.businesses import verified_business
from tests.kits.driver import at_case_time, check_usable, sign, signed_in
from tests.kits.evidence_files import png
from tests.kits.expert_kit import (
    file_small_claim,
    register_expert,
    seat_the_browser_expert,
    vote_by_script,
)
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import drawn_panel

OPINION = {"findings": {"leak": "upheld", "grout": "rejected"}, "pay_fen": 320_050, "reasons": "闭水试验渗漏"}
SUMMARY = "卫生间地面渗水属实，勾缝开裂不属施工责任；付给经营者 ¥3,200.50，其余退还业主。"
DISSENT = "勾缝一项我倾向于支持业主，但服从多数。"


async def test_council_and_expert_take_a_case_to_countersignature_in_the_browser(stack, new_context):
    clocks = CaseClocks(stack.temporal)
    registrar = await Party(stack.http, "council", "登记员").register(enrolment_secret=COUNCIL_SECRET)
    owner = await Party(stack.http, "owner", "业主 赵敏").register()
    contractor = await verified_business(stack.http, "contractor", "漓江装饰")
    council, council_id = await signed_in(await new_context(), "council", "调解委员会 陈委员", COUNCIL_SECRET)
    expert, expert_party = await signed_in(await new_context(), "expert", "吴刚")
    await register_expert(stack, registrar, expert_party, "吴刚", contractor)
    case = await file_small_claim(stack, clocks, owner=owner, contractor=contractor, council=registrar)
    case_path = f"/cases/{case.case_id}"

    # -- the council accepts the case on its page
    await at_case_time(council, clocks, case.case_id, f"/council{case_path}")
    assert await council.locator('form[data-step="decision.countersign"]').count() == 0
    await council.get_by_label("备注").fill("属于受理范围")
    await sign(
        council,
        'form[data-step="case.accept"]',
        expect_in_dialog=["受理案件", "案件编号", case.case_id, "调解委员会 陈委员", "属于受理范围"],
        screenshot_as="council-case-accept-confirm",
    )
    await case.until("answer")
    assert await council.locator('form[data-step="case.accept"]').count() == 0
    await case.answer("answer")
    await clocks.fast_forward(case.case_id, 10)  # negotiation ends without a settlement

    # -- the drawn expert declares independence on their case page
    async def declare() -> None:
        await at_case_time(expert, clocks, case.case_id, f"/expert{case_path}")
        await sign(
            expert,
            'form[data-step="declaration.sign"].choice-form',
            expect_in_dialog=["独立性声明", "与双方无利益关系", "是"],
            screenshot_as="expert-declaration-confirm",
        )

    expert_id = await seat_the_browser_expert(case, clocks, expert_party, declare)
    state = await case.state()
    assert state.rounds[-1].seats[expert_id].declared is True

    # -- the council pauses the evidence clock for a lab test and resumes it, on its page
    await at_case_time(council, clocks, case.case_id, f"/council{case_path}")
    await council.click("details#clock summary")
    await council.get_by_label("理由").fill("闭水层取样送检")
    await sign(council, 'form[data-step="clock.pause"]', expect_in_dialog=["暂停案件计时", "闭水层取样送检"])
    await case.wait_for(lambda s: s.rounds[-1].paused_at, "the paused clock")
    await at_case_time(council, clocks, case.case_id, f"/council{case_path}")
    await sign(council, 'form[data-step="clock.resume"]', expect_in_dialog=["恢复案件计时"])
    await case.wait_for(lambda s: not s.rounds[-1].paused_at, "the clock running again")

    # -- the chair signs the joint site inspection report: its hash is made in the browser
    await at_case_time(expert, clocks, case.case_id, f"/expert{case_path}")
    await expert.click("details#joint-inspection summary")
    report = b"%PDF-1.4 joint site inspection: the floor holds water for 48 hours"
    await expert.set_input_files(
        "#inspection-report", files=[{"name": "site.pdf", "mimeType": "application/pdf", "buffer": report}]
    )
    report_hash = "sha256:" + hashlib.sha256(report).hexdigest()
    await sign(expert, 'form[data-step="inspection.sign"]', expect_in_dialog=[report_hash])
    inspected = await case.wait_for(lambda s: s.rounds[-1].inspection, "the chair's report signature")
    assert inspected.rounds[-1].inspection == JointInspection(report_hash=report_hash, signed_by=[expert_id])

    # -- evidence, then the vote (its own browser test drives the vote form): signed in this browser
    await case.submit_evidence(owner, [png(label="photos of the leak")])
    await clocks.fast_forward(case.case_id, 14)
    await case.until("voting")
    await vote_by_script(expert, clocks, case, expert_party, OPINION)

    # -- the chair writes the summary: the page shows what the votes decided
    await at_case_time(expert, clocks, case.case_id, f"/expert{case_path}")
    assert await expert.locator('form[data-step="decision.sign"]').count() == 0
    summary_form = expert.locator("#summarise")
    assert "¥3,200.50" in await summary_form.inner_text() and "¥1,599.50" in await summary_form.inner_text()
    offered = await expert.locator("#summary-outcome option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert offered == ["rework", "split"]  # the median pays the business: no full refund to choose
    await expert.get_by_label("通俗摘要").fill(SUMMARY)
    await sign(
        expert,
        'form[data-step="decision.summarise"]',
        expect_in_dialog=["撰写裁决摘要", SUMMARY, "按专家组金额分摊"],
        screenshot_as="expert-summary-confirm",
    )
    state = await case.until("signing")
    decision_hash = state.rounds[-1].decision_hash
    # left open while the panel signs
    await at_case_time(council, clocks, case.case_id, f"/council{case_path}")
    await expect(council.locator("#wait-panel-signatures")).to_be_visible()

    # -- the panel signs the decision, dissent noted
    await at_case_time(expert, clocks, case.case_id, f"/expert{case_path}")
    assert await expert.locator('form[data-step="decision.summarise"]').count() == 0
    await expert.get_by_label("不同意见（可选）").fill(DISSENT)
    await sign(
        expert,
        'form[data-step="decision.sign"]',
        expect_in_dialog=["签署裁决", SUMMARY, "¥3,200.50", "¥1,599.50", decision_hash, DISSENT],
        screenshot_as="expert-sign-decision-confirm",
    )
    await case.wait_for(lambda s: s.rounds[-1].signatures == [expert_id], "the panel's signature")
    assert await expert.locator('form[data-step="decision.sign"]').count() == 0
    assert await expert.get_by_text("等待委员会会签").count() > 0

    # -- the council's page refreshes itself once the panel has signed; the council countersigns
    # there, and the case opens its objection window
    await expect(council.locator('form[data-step="decision.countersign"]')).to_be_visible(timeout=15_000)
    await at_case_time(council, clocks, case.case_id)
    await sign(
        council,
        'form[data-step="decision.countersign"]',
        expect_in_dialog=["委员会会签裁决", SUMMARY, "¥3,200.50", decision_hash, DISSENT],
        screenshot_as="council-countersign-confirm",
    )
    state = await case.until("objection")
    final = state.rounds[-1]
    assert final.countersigned is True and final.dissent_notes == {expert_id: DISSENT}
    assert final.decision.summary == SUMMARY and final.decision.outcome == "split"
    assert state.phase == "objection" and state.objection_due
    assert council_id != registrar.id
    await check_usable(council)
    assert await council.locator('form[data-step="decision.countersign"]').count() == 0


async def test_the_council_rejects_a_case_with_reasons_in_the_browser(stack, new_context):
    clocks = CaseClocks(stack.temporal)
    council, _ = await signed_in(await new_context(), "council", "调解委员会 林委员", COUNCIL_SECRET)
    owner = await Party(stack.http, "owner", "业主 孙丽").register()
    contractor = await verified_business(stack.http, "contractor", "七星家装")
    reader = await Party(stack.http, "council", "登记员").register(enrolment_secret=COUNCIL_SECRET)
    case = await file_small_claim(stack, clocks, owner=owner, contractor=contractor, council=reader)
    await at_case_time(council, clocks, case.case_id, f"/council/cases/{case.case_id}")
    await council.get_by_text("不予受理", exact=True).click()  # opens the rejection form
    reasons = council.get_by_label("理由")
    await reasons.fill("   ")  # blank reasons: refused before anything is signed
    await council.click('form[data-step="case.reject"] button[type=submit]')
    await expect(council.locator("#step-error")).to_contain_text("请写明不予受理的理由")
    await expect(council.locator("#confirm-step")).to_be_hidden()
    assert (await case.state()).phase == "filed"

    await reasons.fill("属于合同约定的颜色偏差范围，不属于本委员会受理的质量争议")
    # the grounds of SAMR Order No. 20 art. 15, offered as a list beside the reasons
    await council.locator('#reject-grounds input[value="outside_remit"]').check()
    await check_usable(council)
    await sign(
        council,
        'form[data-step="case.reject"]',
        expect_in_dialog=["不予受理案件", "颜色偏差", "第十五条第（一）项"],
    )
    state = await case.until("rejected")
    assert state.rejection == "属于合同约定的颜色偏差范围，不属于本委员会受理的质量争议"
    assert state.rejection_grounds == ["outside_remit"]
    assert await council.locator("form[data-step]").count() == 0


async def test_a_drawn_expert_declines_the_seat_with_a_reason_in_the_browser(stack, new_context):
    clocks = CaseClocks(stack.temporal)
    registrar = await Party(stack.http, "council", "登记员").register(enrolment_secret=COUNCIL_SECRET)
    owner = await Party(stack.http, "owner", "业主 周红").register()
    contractor = await verified_business(stack.http, "contractor", "叠彩装饰")
    expert, expert_party = await signed_in(await new_context(), "expert", "孙杰")
    await register_expert(stack, registrar, expert_party, "孙杰", contractor)
    case = await file_small_claim(stack, clocks, owner=owner, contractor=contractor, council=registrar)
    await case.accept()
    await case.answer("answer")
    await clocks.fast_forward(case.case_id, 10)  # negotiation ends without a settlement
    (mine,) = await drawn_panel(case)

    await at_case_time(expert, clocks, case.case_id, f"/expert/cases/{case.case_id}")
    await expert.click("details.choice-form summary")
    reason = "三年前曾为叠彩装饰做过防水设计"
    await expert.get_by_label("回避原因").fill(reason)
    await sign(
        expert,
        'details.choice-form form[data-step="declaration.sign"]',
        expect_in_dialog=["独立性声明", "否", reason],
    )
    # nobody else is eligible: the seat finds no alternate, and the draw is given up and kept
    state = await case.wait_for(lambda s: s.abandoned_draws, "the draw given up")
    [gone] = state.abandoned_draws
    assert (gone.vacated, gone.reason) == (mine, f"declined: {reason}")
    assert state.phase == "draw"
