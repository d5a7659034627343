"""The words a car claim's facts and the statutory remedy on them are shown in, on every page.

The case machine computes the remedy (expert_panels/car_claim.py, `statutory_remedy` in the
case snapshot) with an English `summary` and the article as Order No. 43 cites it, in Chinese.
The pages say it in the reader's language instead, from words keyed by the finding's `rule`:
`statutory.rule.<code>` says the rule in a sentence. The article is found from the finding's
article text (`article_key`: the word `statutory.article.<code>` of the first rule citing it),
because a published decision keeps only the article (public_record/decisions.py). Every rule and
article has its words in both languages (tests/web/test_words.py), and the Chinese citation the
words make is the machine's own, letter for letter (tests/web/test_statutory_words.py).
"""

from typing import Any

from domain.case.snapshot import CaseSnapshot
from expert_panels.car_claim import FACTS
from expert_panels.car_remedy import (
    ART21_ARTICLE,
    ART21_RULE,
    ART25_ARTICLE,
    ART25_RULE,
    ART26_ARTICLE,
    ART26_RULE,
    ART28_ARTICLE,
    ART28_RULE,
    DEFENCE_RULES,
    LOSSES_WITH_CAR_REMEDY,
    PERIODS,
    RULES,
    Defence,
    FaultPart,
    Remedy,
    Use,
)

# The facts a car claim may state: the start dates and the three it must give when it states
# any, then the others, in the order the claim form asks for them (templates/claim_car_facts.html).
CAR_FACTS = FACTS
# What the buyer's claim form asks: every fact but the business's defences, which are not the buyer's.
CLAIM_FORM_FACTS = tuple(name for name in FACTS if name != "defences")
FAULT_PARTS = tuple(part.value for part in FaultPart)
CAR_USES = tuple(use.value for use in Use)

# Each article cited, by the code of the first rule citing it (reversed: the first one wins), and
# those that decide no remedy themselves: Art. 25 turns a replacement into a refund, Arts. 21, 26
# and 28 are the duties that come with a remedy (a courtesy car, losses made good, the seller's days).
DUTIES = {
    ART21_ARTICLE: ART21_RULE,
    ART25_ARTICLE: ART25_RULE,
    ART26_ARTICLE: ART26_RULE,
    ART28_ARTICLE: ART28_RULE,
}
_CITED_BY = {rule.article: rule.code for rule in reversed(RULES)} | DUTIES


def article_key(article: str) -> str:
    """The word for an article Order No. 43 is cited by (a `RULES` article, as the machine gives it)."""
    return f"statutory.article.{_CITED_BY[article]}"


def in_claim_order(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    """The facts a claim states, as the form asked for them: the signed claim sorts them by name."""
    return [(name, facts[name]) for name in CAR_FACTS if name in facts]


# The defence each `if_proved` change is named by (its rule), and who may have raised it.
_DEFENCE_OF_RULE = {rule: defence.value for defence, rule in DEFENCE_RULES.items()}
RAISERS = ("claim", "answer")


def raised_by(rule: str, case: CaseSnapshot) -> list[str]:
    """Where the defence an `if_proved` change names was raised: the claim's facts, the
    respondent's answer, or both."""
    defence = _DEFENCE_OF_RULE[rule]
    raised = {
        "claim": (case.car_facts or {}).get("defences", []),
        "answer": case.answer.defences if case.answer else [],
    }
    return [raiser for raiser in RAISERS if defence in raised[raiser]]


# What the claim's signing dialog names the facts by (static/steps.js), and its form's refusals.
CAR_FACT_WORDS = [
    "field.car_facts",
    *(f"field.{name}" for name in CAR_FACTS),
    *(f"fault_part.{part}" for part in FAULT_PARTS),
    *(f"car_use.{use.value}" for use in Use),
    *(f"defence.{defence.value}" for defence in Defence),
    "car_facts.invoiced_hint",
    "car_facts.choose_use",
    "car_facts.promised_hint",
    "error.car_fact_missing",
    "error.car_fact_count",
    "error.car_fact_dates",
]
# Every word the templates build from a finding (templates/statutory.html), for tests/web/test_words.py.
STATUTORY_WORDS = {
    *CAR_FACT_WORDS,
    *(f"statutory.rule.{rule.code}" for rule in RULES),
    *(article_key(rule.article) for rule in RULES),
    *(f"statutory.rule.{rule}" for rule in DUTIES.values()),
    *(article_key(article) for article in DUTIES),
    *(f"statutory.loss.{loss}" for loss in LOSSES_WITH_CAR_REMEDY),
    "statutory.losses",
    "statutory.courtesy_car",
    "statutory.courtesy_car_none",
    "statutory.dealer_answer",
    "statutory.dealer_complete",
    "statutory.dealer_outside",
    "statutory.no_comparable_car",
    "statutory.period_moved",
    *(f"statutory.period.{period}" for period in PERIODS),
    "statutory.if_proved",
    "statutory.if_proved_item",
    *(f"statutory.raised_by.{raiser}" for raiser in RAISERS),
    *(f"decision.remedy.{remedy.value}" for remedy in Remedy),
}
