"""The expert's pages over HTTP: the cases they sit on and a case file, for panel members only."""

from domain.money import yuan
from tests.kits.staff_kit import (
    MOISTURE_READINGS_DIGEST,
    STAGE_PHOTO_DIGEST,
    case_in_voting,
    drawn_panel,
    filed_case,
    page,
    part,
    read_model_shows,
    shanghai,
)


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
    assert shanghai(state.rounds[-1].vote_due) in card
    assert yuan(disputed.disputed_fen) in card

    file = await page(stack, f"/expert/cases/{case.case_id}", case.expert(chair))
    assert file.status_code == 200
    text = file.text
    assert "卫生间地面闭水试验渗漏" in text and MOISTURE_READINGS_DIGEST in text
    assert f'data-disputed-fen="{disputed.disputed_fen}"' in text and "组长" in text
    for item in ("leak", "pipe-joint"):  # every control has a label
        assert f'name="finding-{item}" value="upheld"' in text
    assert '<label for="pay-yuan">' in text and 'id="pay-yuan"' in text
    assert f"0 至 {yuan(disputed.disputed_fen)}" in text

    version = f"/expert/cases/{case.case_id}/version"
    assert (await page(stack, version, case.expert(chair))).json() == {"version": state.version}
    for expert_id, pay in zip(case.seats(state), (1000, 2000, 3000), strict=True):
        await case.commit_vote(expert_id, opinion(pay))
    await case.reveal_vote(chair)
    after = await page(stack, f"/expert/cases/{case.case_id}", case.expert(chair))
    assert "等待其他成员公开投票" in after.text and "3 位成员中 3 位已提交承诺，1 位已公开" in after.text
    member = await page(stack, f"/expert/cases/{case.case_id}", case.expert(members[0]))
    assert "请公开您的投票" in member.text and 'id="reveal-review"' in member.text

    seated = set(case.seats(state))
    outsider = next(party for expert_id, party in case.experts.items() if expert_id not in seated)
    assert case.case_id not in (await page(stack, "/expert", outsider)).text
    refused = await page(stack, f"/expert/cases/{case.case_id}", outsider)
    assert (await page(stack, version, outsider)).status_code == 403
    moved = (await page(stack, version, case.expert(chair))).json()["version"]
    assert moved > state.version  # four signed steps later: the open case file reloads itself
    council_polls = await page(stack, f"/council/cases/{case.case_id}/version", disputed.flow.council)
    assert council_polls.json() == {"version": moved}
    assert refused.status_code == 403 and "当前专家组中" in refused.text
    assert (await page(stack, f"/expert/cases/{case.case_id}", disputed.flow.council)).status_code == 403
    anonymous = await page(stack, "/expert")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/signin?next=/expert")


SUMMARISE, SIGN, COUNTERSIGN = (
    f'data-step="{step}"' for step in ("decision.summarise", "decision.sign", "decision.countersign")
)


async def test_the_summary_and_signature_forms_appear_only_for_whom_they_concern_at_their_step(stack):
    disputed = await case_in_voting(stack)
    case, council = disputed.case, disputed.flow.council
    state = await case.state()
    chair, *members = case.seats(state)
    path = f"/expert/cases/{case.case_id}"

    async def forms(party) -> set[str]:
        text = (await page(stack, path, party)).text
        return {form for form in (SUMMARISE, SIGN, 'data-step="declaration.sign"') if form in text}

    async def council_sees() -> str:
        return (await page(stack, f"/council/cases/{case.case_id}", council)).text

    for expert_id, pay in zip(case.seats(state), (100_000, 200_000, 300_000), strict=True):
        await case.commit_vote(expert_id, opinion(pay))
    assert await forms(case.expert(chair)) == set()  # voting: the vote form only
    for expert_id in case.seats(state):
        await case.reveal_vote(expert_id)
    await case.until("summary")

    chair_page = (await page(stack, path, case.expert(chair))).text
    assert SUMMARISE in chair_page and SIGN not in chair_page
    assert (
        '<label for="summary-text">' in chair_page and 'value="refund"' not in chair_page
    )  # the median pays
    assert yuan(200_000) in chair_page.split('id="summarise"', 1)[1]  # the median the votes make
    for member in members:
        assert await forms(case.expert(member)) == set()
    assert COUNTERSIGN not in await council_sees()
    english = await page(stack, path, case.expert(chair), lang="en")
    assert "Write the decision summary" in english.text and "Review and sign the summary" in english.text

    await case.summarise("The floor leaks; the joint holds.", outcome="split")
    state = await case.until("signing")
    decision_hash = state.rounds[-1].decision_hash
    for expert_id in case.seats(state):
        shown = (await page(stack, path, case.expert(expert_id))).text
        assert SIGN in shown and SUMMARISE not in shown
        assert f'name="decision_hash" value="{decision_hash}"' in shown and "data-explains" in shown
        assert "The floor leaks; the joint holds." in shown and '<label for="dissent">' in shown

    await case.sign_decision(chair, decision_hash)
    assert await forms(case.expert(chair)) == set()
    assert "等待委员会会签" in (await page(stack, path, case.expert(chair))).text
    await case.sign_decision(members[0], decision_hash, dissent="the joint leaks too")
    waiting = await council_sees()
    assert COUNTERSIGN not in waiting and "3 位成员中 2 位已签署" in waiting
    await case.sign_decision(members[1], decision_hash)
    assert await forms(case.expert(members[1])) == set()

    ready = await council_sees()
    assert COUNTERSIGN in ready and f'value="{decision_hash}"' in ready
    assert (
        "the joint leaks too" in ready.split('id="countersign"', 1)[1]
    )  # the dissent, in what is countersigned
    assert 'data-step="case.accept"' not in ready
    await case.countersign(decision_hash)
    await case.until("objection")
    assert COUNTERSIGN not in await council_sees()
    for expert_id in case.seats(state):
        assert await forms(case.expert(expert_id)) == set()


async def test_only_a_drawn_expert_who_has_not_declared_sees_the_declaration_form(stack):
    disputed = await filed_case(stack)
    case, demo = disputed.case, disputed.demo
    await case.accept()
    await case.answer("contractor-answer")
    await demo.negotiate_in_vain(case)
    first, *others = await drawn_panel(case)
    path = f"/expert/cases/{case.case_id}"

    shown = (await page(stack, path, case.expert(first))).text
    assert shown.count('data-step="declaration.sign"') == 2  # declare independent, or decline with a reason
    assert 'name="independent" value="yes"' in shown and 'name="independent" value="no"' in shown
    assert '<label for="decline-reason">' in shown and "签署期限" in shown
    assert 'data-step="decision.' not in shown

    await case.declare(first)
    after = (await page(stack, path, case.expert(first))).text
    assert 'data-step="declaration.sign"' not in after and "等待当事人回避期结束" in after
    for expert_id in others:
        assert 'data-step="declaration.sign"' in (await page(stack, path, case.expert(expert_id))).text
    council_page = (await page(stack, f"/council/cases/{case.case_id}", disputed.flow.council)).text
    assert 'data-step="' not in council_page


async def test_the_panel_reads_the_escrow_and_every_case_page_shows_the_claim(stack):
    """The expert's case file shows the escrow the case decides on (the failed inspection's defect,
    the request's evidence, the dispute's reason, the change orders); the parties' and the
    council's case pages show the claim with its remedy sought, specialty and the dispute's reason."""
    drain = {"description": "地漏倒坡积水", "location": "主卫", "cost_estimate_fen": 120_000}
    disputed = await filed_case(stack, defects=[drain])
    case, flow = disputed.case, disputed.flow
    await case.accept()
    await case.answer("the drain was laid to the plan; the floor was tested dry")
    await disputed.demo.negotiate_in_vain(case)
    state = await disputed.demo.form_panel(case)
    member = case.expert(case.seats(state)[0])

    shown = (await page(stack, f"/expert/cases/{case.case_id}", member)).text
    escrow = part(shown, 'id="case-escrow"')
    stage = part(escrow, 'id="escrow-stage-1"', 'id="escrow-stage-2"')
    assert "地漏倒坡积水 (主卫)" in stage and yuan(120_000) in stage and "不合格" in stage
    assert STAGE_PHOTO_DIGEST in stage and "争议中" in stage
    assert 'id="escrow-stage-2"' in escrow and "争议中" not in part(escrow, 'id="escrow-stage-2"', "</li>")
    assert "the bathroom floor leaks" in part(escrow, 'id="escrow-dispute"', "</dl>")
    assert "双方均已签署、已计入上述阶段的变更单：0 份" in escrow
    english = (await page(stack, f"/expert/cases/{case.case_id}", member, lang="en")).text
    assert "The escrow this case decides on" in english and "in dispute" in english

    for path, reader in (
        (f"/expert/cases/{case.case_id}", member),
        (f"/my/cases/{case.case_id}", flow.owner),
        (f"/my/cases/{case.case_id}", flow.contractor),
        (f"/council/cases/{case.case_id}", flow.council),
    ):
        claim = part((await page(stack, path, reader)).text, 'id="claim"')
        assert "热水管接头渗水" in claim, path  # an item
        facts = part(claim, 'id="claim-facts"', "</dl>")
        for shown in ("the bathroom floor leaks", "refund of the stage", "防水"):  # reason, remedy, specialty
            assert shown in facts, (path, shown)
        english = part((await page(stack, path, reader, lang="en")).text, 'id="claim"')
        assert "Remedy sought" in english and "Waterproofing" in english, path
