"""The parties' case pages over HTTP: each side sees its own signed step, only when the case is
open to it, and the page follows the case from filing to the objection window. The claimant may
withdraw until a decision binds: in every phase up to the signing, never once an objection is in."""

from cli.dispute_demo import WINDOWS
from domain.money import yuan
from tests.kits.staff_kit import MOISTURE_READINGS, decided, filed_case, page, part, read_model_shows

STEPS = (
    "answer.submit",
    "settlement.sign",
    "strike.submit",
    "evidence.submit",
    "inspection.sign",
    "decision.object",
    "case.withdraw",
)


async def forms(stack, case_id: str, party) -> set[str]:
    text = (await page(stack, f"/my/cases/{case_id}", party)).text
    return {step for step in STEPS if f'data-step="{step}"' in text}


async def test_each_side_sees_its_steps_from_the_answer_to_the_strikes(stack):
    disputed = await filed_case(stack)
    case, demo, flow = disputed.case, disputed.demo, disputed.flow
    owner, contractor = flow.owner, flow.contractor
    await read_model_shows(stack, case.case_id, "filed")
    listed = (await page(stack, "/my/cases", owner)).text
    card = part(listed, f'href="/my/cases/{case.case_id}"', "</li>")
    assert "申请人" in card and yuan(disputed.disputed_fen) in card and "受理" in card
    assert await forms(stack, case.case_id, owner) == {"case.withdraw"}  # the council accepts first
    assert await forms(stack, case.case_id, contractor) == set()
    shown = (await page(stack, f"/my/cases/{case.case_id}", owner)).text
    assert f'href="/my/escrows/{flow.escrow_id}"' in shown and "卫生间地面闭水试验渗漏" in shown
    escrow_page = f"/my/escrows/{flow.escrow_id}"  # the frozen stage links to its case
    assert f'href="/my/cases/{case.case_id}"' in (await page(stack, escrow_page, contractor)).text
    assert f'href="/council/cases/{case.case_id}"' in (await page(stack, escrow_page, flow.council)).text

    await case.accept()
    await case.until("answer")
    assert await forms(stack, case.case_id, contractor) == {"answer.submit", "settlement.sign"}
    answer_form = (await page(stack, f"/my/cases/{case.case_id}", contractor)).text
    assert 'data-step="answer.submit"' in answer_form and 'name="defences"' not in answer_form  # a car's only
    # the mediation period of SAMR Order No. 20 art. 21(5) runs from the acceptance, on both sides' pages
    for party, language, words in (
        (owner, "zh-CN", "还剩 45 个工作日"),
        (contractor, "en", "45 working days left"),
    ):
        accepted = (await page(stack, f"/my/cases/{case.case_id}", party, lang=language)).text
        assert words in part(accepted, 'id="mediation"', "</section>")
        assert 'data-step="mediation.extend"' in accepted
    assert await forms(stack, case.case_id, owner) == {"settlement.sign", "case.withdraw"}

    await case.answer("contractor-answer")
    await case.sign_settlement(owner, 300_000, disputed.disputed_fen - 300_000)
    offered = (await page(stack, f"/my/cases/{case.case_id}", contractor)).text
    agree = part(offered, 'id="agree-settlement"', "</form>")
    assert yuan(300_000) in agree and 'name="pay_fen" value="300000"' in agree
    waiting = (await page(stack, f"/my/cases/{case.case_id}", owner)).text
    assert 'id="settlement-waiting"' in waiting and 'id="agree-settlement"' not in waiting

    await demo.negotiate_in_vain(case)
    state = await case.until("panel")
    seats = case.seats(state)
    panel_page = (await page(stack, f"/my/cases/{case.case_id}", contractor)).text
    strike = part(panel_page, 'data-step="strike.submit"', "</form>")
    assert all(f'<option value="{expert_id}">' in strike for expert_id in seats)
    await case.strike(owner, seats[1], "worked with the contractor's supplier")
    await case.wait_for(lambda s: "claimant" in s.rounds[-1].strikes, "the owner's strike")
    assert await forms(stack, case.case_id, owner) == {"settlement.sign", "case.withdraw"}
    assert "strike.submit" in await forms(stack, case.case_id, contractor)

    stranger = disputed.flow.inspector  # named in the escrow, not in the case
    refused = await page(stack, f"/my/cases/{case.case_id}", stranger)
    assert refused.status_code == 403 and case.case_id in refused.text
    assert (await page(stack, f"/my/cases/{case.case_id}/version", stranger)).status_code == 403
    version = (await page(stack, f"/my/cases/{case.case_id}/version", owner)).json()["version"]
    assert version == (await case.state()).version


async def test_evidence_then_the_decision_and_one_objection_for_either_side(stack):
    disputed = await filed_case(stack)
    case, demo, flow = disputed.case, disputed.demo, disputed.flow
    owner, contractor = flow.owner, flow.contractor
    await case.accept()
    await case.answer("contractor-answer")
    await demo.negotiate_in_vain(case)
    await demo.form_panel(case)
    evidence_phase = {"evidence.submit", "inspection.sign", "settlement.sign"}
    assert await forms(stack, case.case_id, contractor) == evidence_phase
    assert await forms(stack, case.case_id, owner) == evidence_phase | {"case.withdraw"}
    council_page = f"/council/cases/{case.case_id}"
    assert 'data-step="clock.pause"' in (await page(stack, council_page, flow.council)).text
    await case.pause_clock("the screed goes to the lab")
    await case.wait_for(lambda s: s.rounds[-1].paused_at, "the paused clock")
    assert 'data-step="clock.resume"' in (await page(stack, council_page, flow.council)).text
    assert "evidence.submit" in await forms(stack, case.case_id, owner)  # its windows stand still, open
    await case.resume_clock()
    await case.sign_inspection(owner, "sha256:joint-site-report")
    await case.wait_for(lambda s: s.rounds[-1].inspection, "the owner's signature on the report")
    signed = evidence_phase - {"inspection.sign"}
    assert await forms(stack, case.case_id, owner) == signed | {"case.withdraw"}
    state = await case.state()
    chair, member = case.chair(state), case.seats(state)[1]
    expert_page = f"/expert/cases/{case.case_id}"
    assert 'data-step="inspection.sign"' in (await page(stack, expert_page, case.expert(chair))).text
    assert 'data-step="inspection.sign"' not in (await page(stack, expert_page, case.expert(member))).text
    pending = (await page(stack, f"/my/cases/{case.case_id}", contractor)).text
    assert 'id="inspection-pending"' in pending and "sha256:joint-site-report" in pending
    await case.submit_evidence(owner, [MOISTURE_READINGS])
    await demo.skip(case, WINDOWS.evidence_days + WINDOWS.reply_days, "evidence and replies close")
    await case.until("voting")
    assert await forms(stack, case.case_id, owner) == {"settlement.sign", "case.withdraw"}

    await decided(disputed, (100_000, 200_000, 300_000), "The floor leaks; the joint holds.")
    for party in (owner, contractor):
        assert await forms(stack, case.case_id, party) == {"decision.object"}
    shown = (await page(stack, f"/my/cases/{case.case_id}", owner, lang="en")).text
    assert "The floor leaks; the joint holds." in shown and yuan(200_000) in shown
    assert "Object to the decision" in shown
    # each decided item in the claimant's words, not its id
    assert "<dt>卫生间地面闭水试验渗漏</dt>" in shown and "<dt>热水管接头渗水</dt>" in shown
    assert "Item leak" not in shown and "Item pipe-joint" not in shown

    await case.object(contractor, "the joint was never tested")
    await case.until("draw", "panel")
    for party in (owner, contractor):  # one objection per case: a new panel decides
        assert "decision.object" not in await forms(stack, case.case_id, party)
    # a phase open to withdrawal again, but a countersigned decision was appealed: it stays
    assert "case.withdraw" not in await forms(stack, case.case_id, owner)
