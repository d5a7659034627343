"""What the server said, stored as codes, read by the council in its own language over HTTP: an
alert on the open-disputes page and a strike's reason on the case page (web/server_text.py)."""

import json

from tests.kits.staff_kit import drawn_panel, filed_case, page, part


async def test_an_alert_and_a_strike_reason_are_said_in_the_readers_language(stack):
    disputed = await filed_case(stack)
    flow, case, council = disputed.flow, disputed.case, disputed.flow.council
    opened = await flow.wait_for_alert("dispute_opened")
    assert opened.code == "dispute_opened"
    assert json.loads(opened.params_json) == {
        "number": "1",
        "raised_by": "owner",
        "cause": "raised",
        "reason": "the bathroom floor leaks",  # as the owner typed it
    }

    item = f'<li data-code="dispute_opened" data-subject="{flow.escrow_id}">'
    chinese = part((await page(stack, "/council", council)).text, item, "</li>")
    assert "业主提出了第 1 号争议：the bathroom floor leaks" in chinese
    english = part((await page(stack, "/council", council, lang="en")).text, item, "</li>")
    assert "Dispute 1 opened by Owner: the bathroom floor leaks" in english

    await case.accept()
    await case.answer("contractor-answer")
    await disputed.demo.negotiate_in_vain(case)
    struck = (await drawn_panel(case))[0]
    await case.strike(flow.owner, struck, "他验收过这家公司的工程")
    await case.wait_for(lambda s: struck not in case.seats(s), f"{struck}'s seat refilled")

    row = f">{struck}</td><td"  # the row of the struck expert who left the panel
    chinese = part((await page(stack, f"/council/cases/{case.case_id}", council)).text, row, "</tr>")
    assert "申请人申请回避：他验收过这家公司的工程 →" in chinese
    english = part(
        (await page(stack, f"/council/cases/{case.case_id}", council, lang="en")).text, row, "</tr>"
    )
    assert "Struck by Claimant: 他验收过这家公司的工程 →" in english
