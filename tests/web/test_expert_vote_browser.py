"""An expert commits and reveals a vote in Debian's chromium; Python checks every byte.

The expert's key is made in the browser and never leaves it, so only the browser can sign
for this expert. The case's windows are days long and the test fast-forwards the case
workflow's clock; the browser's clock, and the server's time it is told, are set to that same
virtual time (Playwright's `clock.set_fixed_time`, tests/kits/told_time.py) so its signatures
carry the time the workflow checks them against.
"""

from playwright.async_api import expect

from cli.dispute_demo import CaseClocks
from client.party import Party
from expert_panels.votes import Opinion, commitment, opinion_document
from tests.kits.businesses import verified_business
from tests.kits.driver import at_case_time, check_usable, open_page
from tests.kits.evidence_files import png
from tests.kits.expert_kit import file_small_claim, register_expert, seat_the_browser_expert
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.staff_kit import page as get_page
from tests.kits.staff_kit import read_model_shows
from tests.web.conftest import screenshot
from web.session import SESSION_COOKIE


async def test_an_expert_commits_and_reveals_a_vote_in_the_browser(stack, new_context):
    clocks = CaseClocks(stack.temporal)
    council = await Party(stack.http, "council", "调解委员会 王主任").register(
        enrolment_secret=COUNCIL_SECRET
    )
    owner = await Party(stack.http, "owner", "业主 李伟").register()
    contractor = await verified_business(stack.http, "contractor", "桂林家装")

    context = await new_context()
    browser = await context.new_page()
    await browser.goto("/signin")
    await browser.wait_for_function("() => window.Signing !== undefined")
    identity = await browser.evaluate("() => Signing.register({role: 'expert', displayName: '周明'})")
    await browser.evaluate("id => Signing.signIn(id)", identity["partyId"])
    await register_expert(stack, council, identity["partyId"], "周明", contractor)
    case = await file_small_claim(stack, clocks, owner=owner, contractor=contractor, council=council)
    await case.accept()
    await case.answer("answer")
    await clocks.fast_forward(case.case_id, 10)  # negotiation ends without a settlement

    async def declare() -> None:
        await at_case_time(browser, clocks, case.case_id)
        step = {"action": "declaration.sign", "subject": case.case_id, "payload": {"independent": True}}
        await browser.evaluate(
            "([id, url, step]) => Signing.submit(id, url, step)",
            [identity["partyId"], f"/cases/{case.case_id}/declarations", step],
        )

    expert_id = await seat_the_browser_expert(case, clocks, identity["partyId"], declare)
    await case.submit_evidence(owner, [png(label="photos of the leak")])
    await clocks.fast_forward(case.case_id, 14)  # evidence and replies close: voting
    await case.until("voting")
    await read_model_shows(stack, case.case_id, "voting")

    # -- commit: choose findings, type ¥3,200.50, review the plain words, sign
    await at_case_time(browser, clocks, case.case_id)
    await browser.goto("/expert")
    await browser.locator(f'a[href="/expert/cases/{case.case_id}"]').wait_for()
    await screenshot(browser, "expert-cases")
    await open_page(browser, f"/expert/cases/{case.case_id}")
    await browser.locator('input[name="finding-leak"][value="upheld"]').check()
    # a finding left out is asked for by the item's words before anything is shown to sign
    await browser.get_by_role("button", name="核对并签署承诺").click()
    await expect(browser.locator("#step-error")).to_contain_text("请对事项 瓷砖勾缝开裂 作出认定")
    await browser.locator('input[name="finding-grout"][value="rejected"]').check()
    await browser.get_by_label("建议付给经营者的金额").fill("3,200.50")
    await browser.get_by_label("理由").fill("闭水试验 48 小时后楼下渗水")
    await browser.get_by_role("button", name="核对并签署承诺").click()
    confirm = browser.locator("#vote-confirm")
    await confirm.wait_for()
    shown = await confirm.inner_text()
    assert "¥3,200.50" in shown and "¥1,599.50" in shown  # paid to the business, refunded
    assert "支持申请人" in shown and "不支持" in shown and case.case_id in shown
    assert "事项 卫生间地面渗水" in shown and "事项 瓷砖勾缝开裂" in shown  # items in the claimant's words
    await check_usable(browser)
    await screenshot(browser, "expert-vote-confirm")
    await browser.get_by_role("button", name="确认签署").click()
    await browser.get_by_role("button", name="核对并签署公开").wait_for()

    state = await case.state()
    committed = state.rounds[-1].commitments[expert_id]
    assert state.rounds[-1].reveals == {}

    # -- reveal: the opinion and salt kept in this browser since the commit
    await at_case_time(browser, clocks, case.case_id)
    await browser.get_by_role("button", name="核对并签署公开").click()
    await confirm.wait_for()
    revealing = await confirm.inner_text()
    assert "¥3,200.50" in revealing and "事项 卫生间地面渗水" in revealing
    await expect(browser.get_by_role("button", name="确认签署")).to_be_focused()
    await browser.keyboard.press("Enter")  # confirmed by keyboard
    await browser.get_by_text("请组长撰写结论摘要").wait_for()

    state = await case.until("summary")
    revealed = state.rounds[-1].reveals[expert_id]
    assert revealed == Opinion(
        findings={"leak": "upheld", "grout": "rejected"},
        pay_fen=320_050,
        reasons="闭水试验 48 小时后楼下渗水",
    )
    kept = await browser.evaluate(
        """key => new Promise((ok, no) => {
            const r = indexedDB.open('expert-votes');
            r.onsuccess = () => {
                const get = r.result.transaction('votes').objectStore('votes').get(key);
                get.onsuccess = () => ok(get.result);
            };
            r.onerror = no;
        })""",
        f"{case.case_id}/{identity['partyId']}",
    )
    assert len(kept["salt"]) == 64 and kept["commitment"] == committed
    # the browser's hash is Python's, byte for byte
    assert commitment(opinion_document(revealed), kept["salt"]) == committed

    # -- the council's main page, for the record
    council_context = await new_context(viewport={"width": 1280, "height": 900})
    base = str(stack.http.base_url).rstrip("/")
    council_session = await council.open_session()
    await council_context.add_cookies([{"name": SESSION_COOKIE, "value": council_session, "url": base}])
    council_page = await council_context.new_page()
    await read_model_shows(stack, case.case_id, "summary")
    phone_context = await new_context()
    await phone_context.add_cookies([{"name": SESSION_COOKIE, "value": council_session, "url": base}])
    phone = await phone_context.new_page()
    await council_page.goto("/council")
    await council_page.locator(f'a[href="/council/cases/{case.case_id}"]').wait_for()
    await screenshot(council_page, "council-disputes")
    await open_page(council_page, f"/council/cases/{case.case_id}")
    await screenshot(council_page, "council-case")
    for path in ("/council", "/council/experts", f"/council/cases/{case.case_id}"):
        await open_page(phone, path)
    await screenshot(phone, "council-disputes-phone")

    # -- bank staff's ledger on a phone
    staff = await Party(stack.http, "bank", "银行柜员").register(enrolment_secret="test-bank-admin")
    bank_context = await new_context()
    await bank_context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await staff.open_session(), "url": base}]
    )
    bank_page = await bank_context.new_page()
    moved = f"ESC-2099-{case.case_id[-5:]}"  # an account of no escrow, so its deposit stays unconfirmed
    await stack.bank.open_account(moved)
    await stack.bank.deposit(moved, 1_000_000, "walk-in payer", "unmatched transfer", f"{moved}:deposit-1")
    await stack.bank.payout(moved, 250_000, "contractor", "returned by hand", f"{moved}:payout-1")
    for path in ("/bank", "/bank/ledger"):
        await bank_page.goto(path)
        await check_usable(bank_page)
    await screenshot(bank_page, "bank-ledger-phone")

    listing = await get_page(stack, "/council", council)
    assert "¥4,800.00" in listing.text and "撰写结论" in listing.text


OPINIONS = [
    {"findings": {"漏水": "upheld", "tiles": "rejected"}, "pay_fen": 0, "reasons": "“引号” \\ \n 😀"},
    {"findings": {"transmission": "upheld"}, "pay_fen": None, "reasons": ""},
    {"findings": {"a": "rejected"}, "pay_fen": 9_007_199_254_740_991, "reasons": "\u2028"},
]


async def test_the_browser_commitment_is_pythons_byte_for_byte(new_context):
    browser = await (await new_context()).new_page()
    await browser.goto("/signin")
    await browser.wait_for_function("() => window.Signing !== undefined")
    await browser.add_script_tag(url="/static/expert_vote.js")
    salt = await browser.evaluate("() => ExpertVote.newSalt()")
    assert len(salt) == 64 and salt != await browser.evaluate("() => ExpertVote.newSalt()")
    for opinion in OPINIONS:
        in_browser = await browser.evaluate("([o, s]) => ExpertVote.commitment(o, s)", [opinion, salt])
        assert in_browser == commitment(opinion, salt)
