"""Every word a page asks for exists in both languages, and words with a moment in them stay safe.

A missing word renders as its key (web/i18n.py), visible but wrong, and a key missing from
English falls back to Chinese, which hides it on the Chinese pages: so each message file says
the same keys in both languages, and every word the templates name literally, the pages hand
to their scripts, or the case pages build from a case's outcome or a car's statutory remedy
(every rule and article of Order No. 43 the calculator knows), is there.
"""

import json
import re

import pytest
from markupsafe import Markup

from domain.escrow.state import Dispute, DisputeCause
from web.bank_pages import DESK_WORDS
from web.business_pages import WORDS as BUSINESS_WORDS
from web.case_forms import CASE_STEP_WORDS
from web.device_pages import PAIR_WORDS
from web.escrow_pages import STEP_WORDS
from web.expert_pages import PAGE_WORDS
from web.expert_registry_pages import SCRIPT_WORDS as REGISTRY_WORDS
from web.fund_pages import WORDS as FUND_WORDS
from web.i18n import COUNTS, DEFAULT_LANGUAGE, LANGUAGES, MESSAGES_DIR, SINGULAR, messages, translate
from web.inbox_pages import CONTACT_WORDS
from web.party_case_forms import PARTY_STEP_WORDS
from web.party_pages import SECRET_ROLES
from web.recovery_pages import RECOVER_WORDS, RECOVERY_DESK_WORDS
from web.server_text import dispute_reason
from web.statement_pages import STATEMENT_WORDS
from web.statutory_words import STATUTORY_WORDS
from web.templating import local_time

TEMPLATES = MESSAGES_DIR.parent / "templates"
LITERAL_KEY = re.compile(r"""\bt\(\s*"([\w.\-]+[\w\-])"\s*[,)]""")  # not a prefix like t("phase." ~ x)
SCRIPT_WORDS = {*DESK_WORDS, *CASE_STEP_WORDS, *STEP_WORDS, *PAGE_WORDS, *PARTY_STEP_WORDS, *STATEMENT_WORDS}
SCRIPT_WORDS |= {*REGISTRY_WORDS, *(f"signin.secret.{role}" for role in SECRET_ROLES)}
SCRIPT_WORDS |= {*BUSINESS_WORDS, *RECOVERY_DESK_WORDS, *FUND_WORDS}
# a word a script asks for under another name: (asked as, message)
SCRIPT_WORDS |= {
    key if isinstance(key, str) else key[1] for key in (*CONTACT_WORDS, *RECOVER_WORDS, *PAIR_WORDS)
}
# How a case ended (case_outcome.html), where its escrow stands after a withdrawal, and what
# the case's deadline line says once it was withdrawn (web/case_views.py)
OUTCOME_WORDS = {
    *(f"case.source.{source}" for source in ("settlement", "decision", "withdrawal", "cancellation")),
    *(f"case.withdrawal.{state}" for state in ("pending", "done", "refused")),
    "case.withdrawn",
}
# A gallery's file by its kind, a case's evidence entry by its step, an escrow's disputes and
# warranty claims by their status (evidence_files.html, case_facts.html, escrow/disputes.html)
EVIDENCE_WORDS = {
    *(f"evidence.open.{kind}" for kind in ("photo", "video", "document")),
    *(f"evidence.from.{action}" for action in ("claim.file", "answer.submit", "evidence.submit")),
    *(f"dispute.status.{status}" for status in ("open", "decided", "cancelled", "withdrawn")),
    *(f"warranty.status.{status}" for status in ("open", "withdrawn", "settled")),
}


def test_each_message_file_says_the_same_keys_in_every_language():
    """Beside the sentences for a count of one (`.one`), which only a language that words them
    apart has, each beside its key and naming the same values."""
    for chinese in sorted(MESSAGES_DIR.glob(f"*{DEFAULT_LANGUAGE}.json")):
        keys = json.loads(chinese.read_text(encoding="utf-8")).keys()
        for language in LANGUAGES:
            twin = chinese.with_name(chinese.name.replace(DEFAULT_LANGUAGE, language))
            said = json.loads(twin.read_text(encoding="utf-8"))
            singulars = {key for key in said if key.endswith(SINGULAR)}
            assert said.keys() - singulars == keys, twin.name
            for singular in singulars:
                plain = singular.removesuffix(SINGULAR)
                assert plain in said, singular
                assert set(HOLE.findall(said[singular])) <= set(HOLE.findall(said[plain])), singular


HOLE = re.compile(r"\{(\w+)\}")
# "{count} complaints", "{n} more engagements", "{days} working days": a count before a plural noun
COUNTED_PLURAL = re.compile(r"\{(" + "|".join(COUNTS) + r")\} (?:more |working )?[a-z]+s\b")


def test_every_english_sentence_counting_a_plural_says_one_apart():
    plural_only = sorted(
        key
        for key, text in messages("en").items()
        if COUNTED_PLURAL.search(text) and not key.endswith(SINGULAR) and key + SINGULAR not in messages("en")
    )
    assert plural_only == []


@pytest.mark.parametrize(
    ("key", "values", "said"),
    [
        ("public.decisions.found", {"count": 1}, "1 decision"),
        ("public.decisions.found", {"count": 2}, "2 decisions"),
        ("public.decisions.found", {"count": 0}, "0 decisions"),
        ("public.evidence.photo", {"count": 1}, "1 photo"),
        ("rating.lift_first_pass", {"n": 1, "stars": 5}, "1 more stage passing its first inspection"),
        ("rating.lift_first_pass", {"n": 3, "stars": 1}, "3 more stages passing their first inspection"),
        ("mediation.left", {"days": 1}, "1 working day left after today"),
        ("bank.journal", {"count": 1}, "The latest movement"),
    ],
)
def test_english_counts_one_apart_from_many(key, values, said):
    assert translate("en", key, **values).startswith(said)


def test_chinese_says_a_count_of_one_as_any_other():
    assert translate("zh-CN", "public.decisions.found", count=1) == messages("zh-CN")[
        "public.decisions.found"
    ].format(count=1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_a_page_asks_for_is_there(language):
    named = {
        key
        for template in TEMPLATES.rglob("*.html")
        for key in LITERAL_KEY.findall(template.read_text(encoding="utf-8"))
    }
    assert "cancel.agree_submit" in named  # the pattern finds words
    assert (
        sorted(
            (named | SCRIPT_WORDS | OUTCOME_WORDS | EVIDENCE_WORDS | STATUTORY_WORDS)
            - messages(language).keys()
        )
        == []
    )


def test_a_moment_inside_a_sentence_stays_markup_and_the_other_values_are_escaped():
    moment = local_time("2026-03-01T08:00:00+00:00")
    said = translate("en", "cancel.asked_mine", date=moment, reason="<b>no</b> & more")
    assert isinstance(said, Markup)
    assert said == f"You asked to cancel the contract on {moment}: &lt;b&gt;no&lt;/b&gt; &amp; more"
    unanswered = Dispute(1, "owner", "<b>", [2], False, [], "t", cause=DisputeCause.CANCELLATION_UNANSWERED)
    said = dispute_reason("en", unanswered)
    assert not isinstance(said, Markup)  # plain text: the page escapes it
    assert said == "The cancellation asked for was not agreed by Contractor: <b>"
