"""The council's pages over HTTP: open disputes with deadlines, a case's draws, the expert registry."""

from markupsafe import escape

from client.party import Party
from domain.money import yuan
from tests.kits.staff_kit import (
    MOISTURE_READINGS_DIGEST,
    case_in_voting,
    filed_case,
    page,
    read_model_shows,
    shanghai,
)
from web.server_text import reason_text


async def test_open_disputes_show_the_phase_deadline_and_amount_to_the_council_only(stack):
    disputed = await filed_case(stack)
    case_id, council = disputed.case.case_id, disputed.flow.council
    await read_model_shows(stack, case_id, "filed")
    state = await disputed.case.state()

    listing = await page(stack, "/council", council)
    assert listing.status_code == 200
    assert '<html lang="zh-CN">' in listing.text
    row = listing.text.split(f'href="/council/cases/{case_id}"', 1)[1].split("</tr>", 1)[0]
    assert yuan(disputed.disputed_fen) in row and yuan(disputed.disputed_fen) != "¥0.00"
    assert "待受理" in row and "调解委员会: 受理案件" in row and "等待您处理" in row  # its open action
    assert shanghai(state.acceptance_due) in row
    assert disputed.flow.owner.name in row and disputed.flow.contractor.name in row

    english = await page(stack, "/council", council, lang="en")
    assert "Council: Accept the case" in english.text and "Open disputes" in english.text

    filed = (await page(stack, f"/council/cases/{case_id}", council)).text
    assert 'data-step="case.accept"' in filed and 'data-step="case.reject"' in filed
    assert '<label for="accept-note">' in filed and '<label for="reject-reasons">' in filed
    assert 'data-subject-label="field.case_id"' in filed and 'id="confirm-step"' in filed
    assert 'data-step="decision.countersign"' not in filed
    english_case = await page(stack, f"/council/cases/{case_id}", council, lang="en")
    assert "Review and sign the acceptance" in english_case.text and "Reject the case" in english_case.text

    anonymous = await page(stack, "/council")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/signin?next=/council")
    owner = await page(stack, "/council", disputed.flow.owner)
    assert owner.status_code == 403 and "无权查看此页" in owner.text and case_id not in owner.text


async def test_a_case_page_shows_every_draw_with_seed_exclusions_and_vote_progress(stack):
    disputed = await case_in_voting(stack)
    case_id, council = disputed.case.case_id, disputed.flow.council
    state = await disputed.case.state()
    draw = state.rounds[-1].draw

    shown = await page(stack, f"/council/cases/{case_id}", council)
    assert shown.status_code == 200
    text = shown.text
    assert draw["seed"] in text
    for expert_id in draw["panel"]:
        assert expert_id in text
    assert "组长" in text and "投票中" in text
    for expert_id, reason in draw["exclusions"].items():  # "code: detail", the code in the reader's words
        assert expert_id in text and str(escape(reason_text("zh-CN", reason))) in text
    assert "3 位成员中 0 位已提交承诺" in text
    assert shanghai(state.rounds[-1].vote_due) in text
    assert MOISTURE_READINGS_DIGEST in text and "卫生间地面闭水试验渗漏" in text
    assert 'data-step="' not in text  # nothing waits for the council while the panel votes

    expert = disputed.case.expert(draw["panel"][0])
    assert (await page(stack, f"/council/cases/{case_id}", expert)).status_code == 403
    missing = await page(stack, "/council/cases/CASE-1999-99999", council)
    assert missing.status_code == 404 and "没有这个案件" in missing.text


async def test_the_registry_lists_filters_and_charts_the_experts(stack):
    council = await Party(stack.http, "council", "Registry clerk").register(
        enrolment_secret="test-council-secret"
    )
    expert_party = await Party(stack.http, "expert", "Gao Ming").register()
    body = {
        "name": "Gao Ming 高明",
        "domain": "renovation",
        "specialties": ["carpentry", "structure"],
        "party_id": expert_party.id,
        "affiliations": [{"org_id": "ORG-ACME", "kind": "paid", "start": "2025-01-01", "end": None}],
    }
    created = await stack.http.post("/experts", json=body, headers=council.auth)
    assert created.status_code == 201, created.text
    unlinked = {"name": "Qian Hui 钱慧", "domain": "car", "specialties": ["engine"]}
    assert (await stack.http.post("/experts", json=unlinked, headers=council.auth)).status_code == 201

    carpentry = await page(stack, "/council/experts", council, specialty="carpentry", q="高明")
    assert carpentry.status_code == 200
    assert "Gao Ming 高明" in carpentry.text and "钱慧" not in carpentry.text
    assert "木工、结构" in carpentry.text and "ORG-ACME (受酬, 2025-01-01–至今)" in carpentry.text
    assert "共 1 位专家" in carpentry.text
    assert '<svg class="chart"' in carpentry.text and "各专业在册专家人数" in carpentry.text

    engines = await page(stack, "/council/experts", council, domain="car", q="钱慧")
    assert "钱慧" in engines.text and "未关联签名账户" in engines.text

    assert (await page(stack, "/council/experts", expert_party)).status_code == 403
    refused = await page(stack, "/council/experts", council, domain="boats")
    assert refused.status_code == 422
