"""Every word a page asks for exists in both languages. A missing word renders as its key
(web/i18n.py), visible but wrong, and a key missing from English falls back to Chinese, which
hides it on the Chinese pages: so each message file says the same keys in both languages, and
every word the templates name literally, the pages hand to their scripts, or the case pages
build from a case's outcome, is there."""

import json
import re
from pathlib import Path

import pytest

from web.bank_pages import DESK_WORDS
from web.case_forms import CASE_STEP_WORDS
from web.escrow_pages import STEP_WORDS
from web.expert_pages import PAGE_WORDS
from web.i18n import LANGUAGES, MESSAGES_DIR, messages
from web.party_case_forms import PARTY_STEP_WORDS

TEMPLATES = MESSAGES_DIR.parent / "templates"
LITERAL = re.compile(r'\bt\("([^"]+)"\s*[,)]')
SCRIPT_WORDS = {*DESK_WORDS, *CASE_STEP_WORDS, *STEP_WORDS, *PAGE_WORDS, *PARTY_STEP_WORDS}
# How a case ended (case_outcome.html), where its escrow stands after a withdrawal, and what
# the case's deadline line says once it was withdrawn (web/case_views.py)
OUTCOME_WORDS = {
    *(f"case.source.{source}" for source in ("settlement", "decision", "withdrawal")),
    *(f"case.withdrawal.{state}" for state in ("pending", "done", "refused")),
    "case.withdrawn",
}


def keys(path: Path) -> set[str]:
    return set(json.loads(path.read_text(encoding="utf-8")))


def test_each_message_file_says_the_same_keys_in_every_language():
    for chinese in sorted(MESSAGES_DIR.glob("*zh-CN.json")):
        english = chinese.with_name(chinese.name.replace("zh-CN", "en"))
        assert keys(chinese) == keys(english), chinese.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_a_page_asks_for_is_there(language):
    named = {
        match.group(1)
        for template in TEMPLATES.rglob("*.html")
        for match in LITERAL.finditer(template.read_text(encoding="utf-8"))
    }
    assert sorted((named | SCRIPT_WORDS | OUTCOME_WORDS) - messages(language).keys()) == []
