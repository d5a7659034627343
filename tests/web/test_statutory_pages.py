"""A car claim's facts and the statutory remedy on them, on every page of the case, over HTTP.

The council's and both parties' case pages show what the buyer states and what Order No. 43
gives on it, in the reader's language (the Chinese pages never show the machine's English
summary), said to be the buyer's facts until the panel establishes them. The chair's summary
form preselects the statutory remedy and holds the departure field; a decision that departs
shows the statutory remedy and the reason wherever it is shown: to the members who sign it,
the council that countersigns it, the parties, the case's outcome and the public record.
"""

from cli.dispute_demo import WINDOWS
from client.case_session import CaseSession
from tests.kits.car_case_kit import FACTS, GEARBOX, car_case_at_summary, filed_car_case
from tests.kits.staff_kit import page, part, read_model_shows
from web.i18n import translate

SUMMARISE = 'data-step="decision.summarise"'
DEPARTURE = "拆检证实只是阀体密封圈磨损，更换后即恢复正常；累计修理天数中有 20 天在等配件，不算修理时间。"
SUMMARY = "变速箱经更换密封圈可恢复正常，由经销商免费修理。"


def rule(language: str, code: str) -> str:
    return translate(language, f"statutory.rule.{code}")


async def test_every_case_page_shows_the_claimed_facts_and_the_statutory_remedy_in_the_readers_words(stack):
    car = await filed_car_case(stack)
    case_id = car.case.case_id
    state = await car.case.state()
    statutory = state.statutory_remedy
    assert (statutory["remedy"], statutory["rule"], statutory["usage_fee"]) == (
        "refund_or_replace",
        "art24_over_30_days_under_repair",
        True,
    )
    grounds = [ground["rule"] for ground in statutory["grounds"]]
    assert grounds == [statutory["rule"], "art24_same_problem_repaired_over_4_times", "art19_free_repair"]

    readers = [(car.council, f"/council/cases/{case_id}"), (car.buyer, f"/my/cases/{case_id}")]
    readers.append((car.dealer, f"/my/cases/{case_id}"))
    for party, path in readers:
        chinese = await page(stack, path, party)
        assert chinese.status_code == 200 and GEARBOX in chinese.text
        shown = part(chinese.text, 'id="statutory"')
        assert "以下是买方所述的事实" in shown and "事实由专家组认定" in shown
        for fact in ("<dt>交付（开票）日期</dt><dd>2026-01-10</dd>", "<dt>故障部位</dt><dd>变速器</dd>"):
            assert fact in shown
        assert "<dt>累计修理天数</dt><dd>35</dd>" in shown and f"<dd>{FACTS['km']}</dd>" in shown
        assert "<strong>退车或换车</strong>" in shown and rule("zh-CN", statutory["rule"]) in shown
        assert statutory["article"] in shown  # the machine's own citation, as the words make it
        assert "车辆使用补偿费" in shown  # Art. 27 applies to this ground
        further = part(shown, 'id="statutory-grounds"', "</ul>")
        assert rule("zh-CN", "art24_same_problem_repaired_over_4_times") in further
        assert "维修 · 家用汽车产品修理更换退货责任规定（国家市场监督管理总局令第43号）第十九条" in further
        assert statutory["summary"] not in chinese.text  # the machine's English stays off Chinese pages

        english = part((await page(stack, path, party, lang="en")).text, 'id="statutory"')
        assert "as the buyer states them" in english and "The panel establishes the facts" in english
        assert "<dt>Faulty part</dt><dd>Transmission</dd>" in english
        assert "<strong>Refund or replace the car</strong>" in english
        assert rule("en", statutory["rule"]) in english and "Art. 24(1)(iv) of the Provisions" in english
        assert "Repair · Art. 19 of the Provisions" in english and "fee for the use of the car" in english

    # a car claim that states no facts has no statutory remedy to show
    unstated = CaseSession(stack.http, claimant=car.buyer, respondent=car.dealer, council=car.council)
    claim = {"domain": "car", "main_specialty": "body", "disputed_fen": 300_000, "remedy_sought": "维修"}
    await unstated.file({**claim, "items": [{"item_id": "noise", "description": "车门异响"}]})
    shown = (await page(stack, f"/my/cases/{unstated.case_id}", car.buyer)).text
    assert "车门异响" in shown and 'id="statutory"' not in shown


async def test_art25_and_the_defences_raised_are_shown_with_their_articles_in_both_languages(stack):
    """Order No. 43 Art. 25 (no comparable car: a refund) and Art. 32 (defences that, proved,
    would leave no remedy) on the case page, in the reader's words, with the facts that state them."""
    facts = {
        **FACTS,
        "invoiced_on": "2026-01-08",
        "use": "household",
        "no_comparable_car": True,
        "defences": ["not_as_manual", "force_majeure"],
    }
    car = await filed_car_case(stack, facts)
    statutory = (await car.case.state()).statutory_remedy
    assert (statutory["remedy"], statutory["no_comparable_car"]["rule"]) == (
        "refund",
        "art25_no_comparable_car",
    )
    assert [g["rule"] for g in statutory["if_proved"]] == ["art32_not_as_manual", "art32_force_majeure"]
    path = f"/my/cases/{car.case.case_id}"

    chinese = part((await page(stack, path, car.dealer)).text, 'id="statutory"')
    assert "<dt>购车发票日期</dt><dd>2026-01-08</dd>" in chinese and "<dd>生活消费（家用）</dd>" in chinese
    assert "未按使用说明书或三包凭证要求使用、维护、保养（第三十二条第一款第（二）项）; 不可抗力" in chinese
    assert "<strong>退车（退货）</strong>" in chinese
    art25 = part(chinese, 'id="statutory-no-comparable-car"', "</p>")
    assert rule("zh-CN", "art25_no_comparable_car") in art25 and "第43号）第二十五条" in art25
    proved = part(chinese, 'id="statutory-if-proved"', "</ul>")
    assert "不予支持 · " + statutory["if_proved"][0]["article"] in proved  # 第三十二条第一款第（二）项
    assert rule("zh-CN", "art32_force_majeure") in proved

    english = part((await page(stack, path, car.buyer, lang="en")).text, 'id="statutory"')
    assert "<dd>Household use</dd>" in english and "<strong>Refund (return the car)</strong>" in english
    assert "Art. 25 of the Provisions" in part(english, 'id="statutory-no-comparable-car"', "</p>")
    proved = part(english, 'id="statutory-if-proved"', "</ul>")
    assert (
        "No remedy · Art. 32(1)(ii) of the Provisions" in proved
        and rule("en", "art32_force_majeure") in proved
    )
    assert "raised in the claim" in proved and "raised in the business" not in proved

    # the dealer raises its own in the answer: the form offers each with its article, in its language
    await car.case.accept()
    await car.case.until("answer")
    form = part((await page(stack, path, car.dealer, lang="en")).text, 'id="answer-defences"', "</fieldset>")
    assert form.count('name="defences"') == 6
    assert "Modified, adjusted or taken apart where the manual forbids it (Art. 32(1)(iii))" in form
    assert "Not a household car: bought or used for business (Art. 40)" in form
    await car.case.answer("车主自行改装了变速箱", defences=["modification", "force_majeure"])
    answered = await car.case.until("negotiation")
    rules = [g["rule"] for g in answered.statutory_remedy["if_proved"]]
    assert rules == ["art32_not_as_manual", "art32_modification", "art32_force_majeure"]
    shown = (await page(stack, path, car.buyer)).text
    assert "违反使用说明书改装、调整、拆卸（第三十二条第一款第（三）项）" in part(
        shown, 'id="answered-defences"', "</dd>"
    )
    proved = part(shown, 'id="statutory-if-proved"', "</ul>")
    raisers = {
        code: part(proved, f'data-rule="art32_{code}"', "</li>")
        for code in ("not_as_manual", "modification", "force_majeure")
    }
    assert "申请中提出" in raisers["not_as_manual"] and "经营者答辩中提出" not in raisers["not_as_manual"]
    assert "经营者答辩中提出" in raisers["modification"] and "申请中提出" not in raisers["modification"]
    assert "申请中提出 · 经营者答辩中提出" in raisers["force_majeure"]  # raised by both, weighed once


async def test_the_chair_is_offered_the_statutory_remedy_and_a_departure_shows_with_its_reason(stack):
    car = await car_case_at_summary(stack)
    case, case_id = car.case, car.case.case_id
    state = await case.state()
    chair, *members = case.seats(state)
    path = f"/expert/cases/{case_id}"

    chair_page = (await page(stack, path, case.expert(chair))).text
    form = part(chair_page, SUMMARISE, "</form>")
    assert '<select id="summary-remedy" name="remedy" data-statutory="refund_or_replace"' in form
    assert '<option value="refund_or_replace" selected>' in form and form.count(" selected>") == 1
    assert '<div id="departure" hidden>' in form and 'name="departure_reason"' in form
    assert '<label for="departure-reason">偏离法定处理方式的理由</label>' in form
    explained = part(form, "data-explains>", "</dl>")  # what the signing dialog repeats
    assert "法定处理方式（按买方所述事实）" in explained and "退车或换车 · " in explained
    english = part((await page(stack, path, case.expert(chair), lang="en")).text, SUMMARISE, "</form>")
    assert "Why the panel departs from the statutory remedy" in english and "preselected" in english
    for member in members:
        shown = (await page(stack, path, case.expert(member))).text
        assert SUMMARISE not in shown and "<strong>退车或换车</strong>" in part(shown, 'id="statutory"')
    member_english = (await page(stack, path, case.expert(members[0]), lang="en")).text
    assert "<strong>Refund or replace the car</strong>" in part(member_english, 'id="statutory"')

    await case.summarise(SUMMARY, remedy="repair", departure_reason=DEPARTURE)
    state = await case.until("signing")
    decision_hash = state.rounds[-1].decision_hash
    for expert_id in case.seats(state):
        signing = part((await page(stack, path, case.expert(expert_id))).text, 'data-step="decision.sign"')
        explained = part(signing, "data-explains>", "</dl>")
        assert "<dd>维修</dd>" in explained and DEPARTURE in explained
        assert "<dt>法定处理方式（按买方所述事实）</dt><dd>退车或换车 · " in explained
        await case.sign_decision(expert_id, decision_hash)
    council_path = f"/council/cases/{case_id}"
    countersign = part((await page(stack, council_path, car.council)).text, 'id="countersign"')
    assert DEPARTURE in part(countersign, "data-explains>", "</dl>")
    await case.countersign(decision_hash)
    await case.until("objection")

    decided = part((await page(stack, f"/my/cases/{case_id}", car.buyer)).text, 'id="decision"')
    assert "<dt>偏离法定处理方式的理由</dt>" in decided and DEPARTURE in decided and SUMMARY in decided
    dealer_reads = (await page(stack, f"/my/cases/{case_id}", car.dealer, lang="en")).text
    decided = part(dealer_reads, 'id="decision"')
    assert (
        "Statutory remedy (on the buyer's stated facts)" in decided and "Refund or replace the car" in decided
    )
    assert "Why the panel departs from the statutory remedy" in decided and DEPARTURE in decided

    await car.demo.skip(case, WINDOWS.objection_days, "nobody objects")
    await case.until("enforcement")
    ended = part((await page(stack, council_path, car.council)).text, 'id="outcome"')
    assert "<dd>维修</dd>" in ended and DEPARTURE in ended and "第二十四条第一款第（四）项" in ended

    await read_model_shows(stack, case_id, "enforcement")
    public = await page(stack, "/public/decisions", domain="car", q=SUMMARY, lang="zh-CN")
    published = part(public.text, f"<h2>{case_id}", "</article>")
    assert "法定处理方式（按买方所述事实）" in published and "退车或换车 · " in published
    assert DEPARTURE in published and "· 维修" in published  # the remedy in words, not its code
    # the category and each finding in words, not codes
    assert "汽车 · 变速箱" in published and "transmission" not in published
    assert "upheld" not in published and ("支持申请人</li>" in published or "不支持</li>" in published)
