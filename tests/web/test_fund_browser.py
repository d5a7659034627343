"""Advance compensation in chromium at 390 px (docs/ADVANCE_COMPENSATION.md): a dealer opens its
fund on /my/fund, pledges in yuan with its own key, pays the pledge in at the bank; an overdue case
reaches the fund; a council member pays the buyer in advance from /council/funds, refused first above
the decision; the dealer's page shows the advance and what it owes, the public scorecards its pledge
and that its fund owes more than it holds; the pages in both languages."""

import uuid
from dataclasses import asdict
from datetime import UTC, datetime

from playwright.async_api import expect

from client.escrow_session import eventually
from client.funds import pay_in, read_fund
from client.party import Party
from domain.fund.terms import AdvanceClaim, fund_id_of
from tests.kits.driver import open_page, register, sign, signed_in
from tests.kits.flow import COUNCIL_SECRET
from tests.kits.security_world import car_claim
from tests.kits.staff_kit import session_cookie
from tests.web.conftest import screenshot
from workflows.fund import FundWorkflow
from workflows.fund_types import fund_workflow_id

PLEDGE = 1_000_000
DECIDED = 600_000


async def test_a_dealer_pledges_and_the_council_pays_an_overdue_case_in_advance(stack, new_context):
    name = f"漓江先行赔付汽车 {uuid.uuid4().hex[:6]}"
    page, dealer_id = await register(await new_context(), "dealer", name)
    fund_id = fund_id_of(dealer_id)
    council = await Party(stack.http, "council", "先行赔付 李委员").register(enrolment_secret=COUNCIL_SECRET)
    buyer = await Party(stack.http, "buyer", f"买家 {uuid.uuid4().hex[:4]}").register()

    await open_page(page, "/my/fund")
    await expect(page.locator("#fund-explain")).to_contain_text("先行赔付金")
    async with page.expect_navigation():
        await page.click("#open-fund")
    for hostile in ("1e5", "-10000", "10000.001", "＜script＞", "9" * 30):  # said, and nothing is signed
        await page.fill("#pledge-amount", hostile)
        await page.click("#pledge-form button[type=submit]")
        await expect(page.locator("#step-error")).to_contain_text("不是有效金额")
        await expect(page.locator("#confirm-step")).not_to_be_visible()
    await page.fill("#pledge-amount", "10,000")
    # what is signed, in words, before it is: the step, the fund, the amount in yuan
    await sign(page, "#pledge-form", expect_in_dialog=["先行赔付金承诺", fund_id, "承诺金额", "¥10,000.00"])
    await expect(page.locator("#fund-pledged")).to_contain_text("¥10,000.00")
    await expect(page.locator("#deposit-account")).to_have_text(fund_id)
    await expect(page.locator("#deposit-amount")).to_have_text("¥10,000.00")
    qr = await page.context.request.get("/my/fund/deposit-qr.svg")
    assert qr.ok and qr.headers["content-type"] == "image/svg+xml" and "<svg" in await qr.text()

    await eventually(
        lambda: pay_in(stack.bank, fund_id, dealer_id, PLEDGE, f"{fund_id}:deposit-1"),
        bool,
        "the account",
        20,
    )
    await eventually(
        lambda: read_fund(council, fund_id), lambda f: f.ledger.held_fen == PLEDGE, "the deposit", 30
    )

    # A car case the buyer files against the dealer; the fund is told it is overdue directly, standing
    # in for a decision the dealer did not comply with (tests/test_funds.py takes the real path).
    filed = await stack.http.post(
        "/cases", json=asdict(buyer.sign("claim.file", dealer_id, car_claim())), headers=buyer.auth
    )
    case_id = filed.json()["case_id"]
    claim = AdvanceClaim(case_id, "sha256:decision", buyer.id, dealer_id, DECIDED, datetime.now(UTC))
    await stack.temporal.get_workflow_handle(fund_workflow_id(fund_id)).signal(
        FundWorkflow.case_overdue, claim
    )
    await eventually(lambda: read_fund(council, fund_id), lambda f: bool(f.claims), "the claim", 30)

    desk, _ = await signed_in(await new_context(), "council", "先行赔付 王委员", COUNCIL_SECRET)
    await open_page(desk, "/council/funds")
    form = desk.locator(f"#advance-{case_id}")
    await expect(form.locator("input[name=amount]")).to_have_value("6000.00")
    await form.locator("input[name=amount]").fill("6000.01")  # a fen above the decision: refused, in words
    await form.locator("button[type=submit]").click()
    await desk.locator("#confirm-step button[value=sign]").click()
    await expect(desk.locator("#step-error")).to_have_attribute("data-code", "advance_above_decision")
    await expect(desk.locator("#step-error")).to_contain_text("不能超过裁决")
    await form.locator("input[name=amount]").fill("6,000")
    said = ["从先行赔付金先行赔付", fund_id, case_id, "sha256:decision", "付给消费者的金额", "¥6,000.00"]
    await sign(desk, f"#advance-{case_id}", expect_in_dialog=said)
    await expect(form).to_have_count(0)  # paid: the page no longer offers it
    await expect(desk.locator(f"#fund-{fund_id} .advances")).to_contain_text(f"{case_id}：¥6,000.00")
    await screenshot(desk, "phone-council-funds")

    paid = await eventually(
        lambda: read_fund(council, fund_id),
        lambda f: [m.status.value for m in f.movements] == ["done"],
        "the advance paid",
        30,
    )
    assert (paid.ledger.owed_fen, paid.ledger.held_fen) == (DECIDED, PLEDGE - DECIDED)

    await open_page(page, "/my/fund")
    advance = page.locator("#fund-advances li")
    await expect(advance).to_contain_text(case_id)
    await expect(advance).to_contain_text("¥6,000.00")
    await expect(advance).to_contain_text(buyer.name)
    await expect(advance.locator(".movement-status")).to_have_text("已付")
    await expect(page.locator("#ledger-owed")).to_have_text("¥6,000.00")
    await expect(page.locator("#ledger-held")).to_have_text("¥4,000.00")
    await expect(page.locator("#fund-owes")).to_be_visible()
    await expect(page.locator("#fund-claims")).to_contain_text("没有逾期未履行的案件")
    await screenshot(page, "phone-dealer-fund")

    await open_page(page, "/public/scorecards?role=dealer")
    row = page.locator("table.stacks tbody tr", has_text=name)
    await expect(row.locator(".fund-mark")).to_contain_text("先行赔付承诺 ¥10,000.00")
    await expect(row.locator(".fund-mark .owes")).to_have_text("欠赔付金多于账户余额")
    await open_page(page, "/public/scorecards?role=dealer&lang=en")
    await expect(row.locator(".fund-mark")).to_contain_text("Advance compensation pledged: ¥10,000.00")

    await open_page(page, "/my/fund?lang=en")
    await expect(page.locator("h1")).to_have_text("Advance compensation fund")
    await expect(page.locator("#fund-advances .movement-status")).to_have_text("paid")
    for language, title in (("zh-CN", "先行赔付金"), ("en", "Advance compensation funds")):
        listed = await stack.http.get(
            "/council/funds", params={"lang": language}, headers=await session_cookie(council)
        )
        assert listed.status_code == 200
        assert f"<h1>{title}</h1>" in listed.text
        assert f'id="advance-{case_id}"' not in listed.text  # paid: no form for it any more
