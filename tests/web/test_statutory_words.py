"""The statutory remedy in the reader's words: every rule and article of the calculator has its
words, the Chinese citation they make is the machine's own, and a claim's facts are listed in
the order the form asks for them."""

import pytest

from expert_panels.car_remedy import ART25_ARTICLE, ART25_RULE, RULES
from web.i18n import LANGUAGES, translate
from web.statutory_words import article_key, in_claim_order


def cited(language: str, article: str) -> str:
    return translate(language, "statutory.cites", article=translate(language, article_key(article)))


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_cites_its_article_in_both_languages_and_in_chinese_exactly_as_the_machine(rule):
    assert cited("zh-CN", rule.article) == rule.article
    number = rule.code[3:5] if rule.code.startswith("art") else "18"  # outside_repair_warranty: Art. 18
    english = cited("en", rule.article)
    assert english.startswith(f"Art. {number}") and english.endswith("(SAMR Order No. 43)")
    for language in LANGUAGES:
        sentence = translate(language, f"statutory.rule.{rule.code}")
        assert sentence != f"statutory.rule.{rule.code}" and len(sentence) > 20


def test_two_rules_citing_one_article_share_its_word_and_an_unknown_article_is_an_error():
    (iv_days, iv_repairs) = [rule for rule in RULES if rule.article.endswith("第二十四条第一款第（四）项")]
    assert article_key(iv_days.article) == article_key(iv_repairs.article)
    assert cited("en", iv_repairs.article).startswith("Art. 24(1)(iv) of")
    with pytest.raises(KeyError):
        article_key("第九十九条")


def test_a_claims_facts_are_listed_as_the_form_asks_for_them_not_as_the_signed_claim_sorts_them():
    facts = {"delivered_on": "2026-11-20", "fault_on": "2026-11-25", "km": 412, "fault_part": "brakes"}
    stated = {**facts, "same_problem_repairs": 5, "main_part_fault": True}
    signed = dict(sorted(stated.items()))
    assert [name for name, _ in in_claim_order(signed)] == [
        "delivered_on",
        "fault_on",
        "km",
        "fault_part",
        "main_part_fault",
        "same_problem_repairs",
    ]
    assert dict(in_claim_order(signed)) == stated


def test_article_25_which_turns_a_replacement_into_a_refund_is_cited_as_the_machine_cites_it():
    assert cited("zh-CN", ART25_ARTICLE) == ART25_ARTICLE
    assert cited("en", ART25_ARTICLE).startswith("Art. 25 of")
    for language in LANGUAGES:
        assert len(translate(language, f"statutory.rule.{ART25_RULE}")) > 20
