"""The expert's pages over HTTP: the cases they sit on and a case file, for panel members only."""

from datetime import datetime

from domain.money import yuan
from tests.web.staff_kit import POOL, case_in_voting, page, read_model_shows, shanghai


def opinion(pay_fen: int) -> dict:
    return {
        "findings": {"leak": "upheld", "pipe-joint": "rejected"},
        "pay_fen": pay_fen,
        "reasons": "seen on site",
    }


async def test_a_panel_member_sees_their_cases_and_the_case_file_with_what_to_do_next(stack):
    disputed = await case_in_voting(stack)
    case = disputed.case
    state = await case.state()
    chair, *members = case.seats(state)
    await read_model_shows(stack, case.case_id, "voting")

    mine = await page(stack, "/expert", case.expert(chair))
    assert mine.status_code == 200
    card = mine.text.split(f'href="/expert/cases/{case.case_id}"', 1)[1].split("</li>", 1)[0]
    assert "请提交投票承诺" in card and f"专家编号 {chair}" in card
    assert shanghai(datetime.fromisoformat(state["rounds"][-1]["vote_due"])) in card
    assert yuan(disputed.disputed_fen) in card

    file = await page(stack, f"/expert/cases/{case.case_id}", case.expert(chair))
    assert file.status_code == 200
    text = file.text
    assert "卫生间地面闭水试验渗漏" in text and "sha256:moisture-readings" in text
    assert f'data-disputed-fen="{disputed.disputed_fen}"' in text and "组长" in text
    for item in ("leak", "pipe-joint"):  # every control has a label
        assert f'name="finding-{item}" value="upheld"' in text
    assert '<label for="pay-yuan">' in text and 'id="pay-yuan"' in text
    assert f"0 至 {yuan(disputed.disputed_fen)}" in text

    for expert_id, pay in zip(case.seats(state), (1000, 2000, 3000), strict=True):
        await case.commit_vote(expert_id, opinion(pay))
    await case.reveal_vote(chair)
    after = await page(stack, f"/expert/cases/{case.case_id}", case.expert(chair))
    assert "等待其他成员公开投票" in after.text and "3 位成员中 3 位已提交承诺，1 位已公开" in after.text
    member = await page(stack, f"/expert/cases/{case.case_id}", case.expert(members[0]))
    assert "请公开您的投票" in member.text and 'id="reveal-review"' in member.text

    seated = set(case.seats(state))
    outsider = next(party for expert_id, party in POOL.values() if expert_id not in seated)
    assert case.case_id not in (await page(stack, "/expert", outsider)).text
    refused = await page(stack, f"/expert/cases/{case.case_id}", outsider)
    assert refused.status_code == 403 and "当前专家组中" in refused.text
    assert (await page(stack, f"/expert/cases/{case.case_id}", disputed.flow.council)).status_code == 403
    anonymous = await page(stack, "/expert")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/signin?next=/expert")
