"""A car buyer and a dealer settle a case on their case pages in chromium, each signing with
the key their own browser made: the dealer writes an answer with its maintenance record (a PDF
uploaded before the answer is signed, which the buyer then opens from her case page) and raises
a defence of Order No. 43 (art. 32(1)(iii), modification), which the statutory remedy then lists
as raised in its answer, and proposes a repair, the buyer's open page shows the offer by itself
and she agrees, and the dealer confirms the remedy. Python reads the case back after every step."""

from playwright.async_api import expect

from cli.dispute_demo import CaseClocks
from client.case_session import CaseSession
from client.party import Party
from tests.kits.car_case_kit import file_car_case
from tests.kits.driver import open_page, register, sign
from tests.kits.evidence_files import digest_of, pdf
from tests.kits.flow import COUNCIL_SECRET
from tests.web.conftest import referenced, screenshot

ANSWER = "变速箱已按时保养两次，故障可在保修期内维修。"
RECORD = pdf("maintenance record")


async def test_buyer_and_dealer_answer_settle_and_confirm_the_remedy_in_the_browser(stack, new_context):
    buyer, _ = await register(await new_context(), "buyer", "赵敏")
    dealer, dealer_id = await register(await new_context(), "dealer", "漓江汽车销售服务有限公司")
    council = await Party(stack.http, "council", "调解委员会").register(enrolment_secret=COUNCIL_SECRET)
    case_id = await file_car_case(buyer, dealer_id)
    await expect(buyer.locator("#phase")).to_have_attribute("data-phase", "filed")
    clocks = CaseClocks(stack.temporal)
    case = CaseSession(stack.http, claimant=council, respondent=council, council=council, clock=clocks.now)
    case.case_id = case_id  # filed in the browser; this session signs only the council's steps
    await case.accept()

    # -- the dealer answers in writing, with a file: the text is signed as written, the file by its hash
    path = f"/my/cases/{case_id}"
    await open_page(dealer, path)
    await dealer.fill("#answer-text", ANSWER)
    record = {"name": "保养记录.pdf", "mimeType": "application/pdf", "buffer": RECORD}
    await dealer.set_input_files("#answer-evidence", files=[record])
    await expect(dealer.locator("#answer-defences input")).to_have_count(6)  # Art. 32's five and Art. 40
    await dealer.check('#answer-defences input[value="modification"]')
    posted = []
    dealer.on("request", lambda r: posted.append(r.post_data_json) if r.url.endswith("/answer") else None)
    await sign(
        dealer,
        'form[data-step="answer.submit"]',
        expect_in_dialog=[
            "答辩",
            ANSWER,
            "保养记录.pdf (",
            "违反使用说明书改装、调整、拆卸（第三十二条第一款第（三）项）",
        ],
    )
    state = await case.until("negotiation")
    assert [(entry.action, entry.hashes) for entry in state.evidence] == [
        ("answer.submit", [digest_of(RECORD)])
    ]
    assert state.answer is not None and (state.answer.text, state.answer.defences) == (
        ANSWER,
        ["modification"],
    )
    assert [body["envelope"]["payload"] for body in posted] == [
        {"text": ANSWER, "evidence": [digest_of(RECORD)], "defences": ["modification"]}
    ]
    assert [change["rule"] for change in state.statutory_remedy["if_proved"]] == ["art32_modification"]
    await referenced(stack, case_id, [digest_of(RECORD)])
    await open_page(buyer, path)
    await expect(buyer.locator("#answer")).to_contain_text(ANSWER)
    await expect(buyer.locator('#answered-defences li[data-defence="modification"]')).to_be_visible()
    raised = buyer.locator('#statutory-if-proved li[data-rule="art32_modification"]')
    await expect(raised).to_contain_text("第三十二条第一款第（三）项")
    await expect(raised).to_contain_text("经营者答辩中提出")
    shared = buyer.locator("#evidence li.kind-document")
    await expect(shared).to_contain_text("由 漓江汽车销售服务有限公司 添加")
    async with (
        buyer.expect_download() as downloading
    ):  # a PDF is saved; a name with no safe ASCII in it gives way to the hash
        await shared.get_by_text("打开 PDF").click()
    assert (await downloading.value).suggested_filename == "evidence-" + digest_of(RECORD)[7:19] + ".pdf"

    # -- the dealer proposes a repair; the buyer's page, open all along, shows it by itself
    await open_page(buyer, path)
    await open_page(dealer, path)
    await dealer.click("details.more-steps summary")
    await dealer.select_option("#settlement-remedy", "repair")
    await sign(dealer, "#propose-settlement", expect_in_dialog=["签署和解", "维修", "付给经营者"])
    proposed = await case.wait_for(lambda s: s.settlement is not None, "the dealer's offer")
    offer = proposed.settlement
    assert (offer.remedy, offer.signed_by) == ("repair", ["respondent"])
    await expect(dealer.locator("#settlement-waiting")).to_be_visible()
    await expect(buyer.locator("#agree-settlement")).to_be_visible(timeout=15_000)
    await screenshot(buyer, "buyer-case-settlement-offer")
    await sign(
        buyer,
        "#agree-settlement",
        expect_in_dialog=["签署和解", "维修", offer.settlement_hash],
    )
    settled = await case.until("enforcement")
    assert settled.outcome.source == "settlement" and settled.outcome.remedy == "repair"
    assert settled.settlement.signed_by == ["respondent", "claimant"]

    # -- the dealer confirms the remedy the settlement named; the case closes
    await open_page(dealer, path)
    await sign(dealer, 'form[data-step="remedy.confirm"]', expect_in_dialog=["确认处理方式", "维修"])
    closed = await case.until("closed")
    assert closed.remedy_confirmed == "repair" and closed.noncompliant is False
    await open_page(buyer, path)
    await expect(buyer.locator("#outcome")).to_be_visible()
    assert await buyer.locator("form[data-step]").count() == 0
    await screenshot(buyer, "buyer-case-closed")


async def test_both_sides_extend_the_mediation_period_in_the_browser(stack, new_context):
    """SAMR Order No. 20 art. 21(5): 45 working days from the acceptance, unless both sign an extension."""
    buyer, _ = await register(await new_context(), "buyer", "赵敏")
    dealer, dealer_id = await register(await new_context(), "dealer", "漓江汽车销售服务有限公司")
    council = await Party(stack.http, "council", "调解委员会").register(enrolment_secret=COUNCIL_SECRET)
    case_id = await file_car_case(buyer, dealer_id)
    clocks = CaseClocks(stack.temporal)
    case = CaseSession(stack.http, claimant=council, respondent=council, council=council, clock=clocks.now)
    case.case_id = case_id
    await case.accept()
    accepted = await case.until("answer")
    due = accepted.mediation.due

    path = f"/my/cases/{case_id}"
    await open_page(buyer, path)
    await expect(buyer.locator("#mediation-due")).to_contain_text("还剩 45 个工作日")
    await buyer.click("#extend-mediation summary")
    await buyer.fill("#extend-days", "31")  # over the limit: refused before anything is signed
    await buyer.click('form[data-step="mediation.extend"] button[type=submit]')
    assert not await buyer.locator("#extend-days").evaluate("field => field.checkValidity()")
    await expect(buyer.locator("#confirm-step")).to_be_hidden()
    await buyer.fill("#extend-days", "10")
    await sign(buyer, 'form[data-step="mediation.extend"]', expect_in_dialog=["延长调解期限", "10"])
    proposed = await case.wait_for(lambda s: s.mediation.proposed is not None, "the buyer's signature")
    assert proposed.mediation.due == due and proposed.mediation.proposed.signed_by == ["claimant"]

    await open_page(dealer, path)
    await expect(dealer.locator("#mediation-proposed")).to_contain_text("10")
    await dealer.click("#extend-mediation summary")
    await expect(dealer.locator("#extend-days")).to_have_value("10")
    await sign(dealer, 'form[data-step="mediation.extend"]', expect_in_dialog=["延长调解期限", "10"])
    extended = await case.wait_for(lambda s: s.mediation.extensions == [10], "the extension")
    assert extended.mediation.due > due and extended.mediation.proposed is None
    await open_page(buyer, path)
    await expect(buyer.locator("#mediation-extended")).to_contain_text("10")
    await expect(buyer.locator("#mediation-due")).to_contain_text("还剩 55 个工作日")
