"""Every word a page shows exists in both languages, and words with a moment in them stay safe.

A forgotten message renders as its key (web/i18n.py), which no page test reads for; so the
templates' literal keys are checked here against both languages, and each language file
against its Chinese twin.
"""

import json
import re
from pathlib import Path

from markupsafe import Markup

from web.i18n import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES_DIR, messages, translate
from web.templating import local_time

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
LITERAL_KEY = re.compile(r"""\bt\(\s*"([\w.\-]+[\w\-])"\s*[,)]""")  # not a prefix like t("phase." ~ x)


def test_each_message_file_has_the_same_words_in_every_language():
    for chinese in MESSAGES_DIR.glob(f"*{DEFAULT_LANGUAGE}.json"):
        keys = json.loads(chinese.read_text(encoding="utf-8")).keys()
        for language in LANGUAGES:
            twin = chinese.with_name(chinese.name.replace(DEFAULT_LANGUAGE, language))
            assert json.loads(twin.read_text(encoding="utf-8")).keys() == keys, twin.name


def test_every_word_a_template_names_is_there_in_both_languages():
    named = {
        (path.relative_to(TEMPLATES).as_posix(), key)
        for path in TEMPLATES.rglob("*.html")
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert ("escrow/steps/cancel.html", "cancel.agree_submit") in named  # the pattern finds words
    for language in LANGUAGES:
        assert {(path, key) for path, key in named if key not in messages(language)} == set(), language


def test_a_moment_inside_a_sentence_stays_markup_and_the_other_values_are_escaped():
    moment = local_time("2026-03-01T08:00:00+00:00")
    said = translate("en", "cancel.asked_mine", date=moment, reason="<b>no</b> & more")
    assert isinstance(said, Markup)
    assert said == f"You asked to cancel the contract on {moment}: &lt;b&gt;no&lt;/b&gt; &amp; more"
    assert translate("en", "cancel.dispute_reason", side="Owner", reason="<b>") == (
        "Owner did not agree to cancel the contract: <b>"  # plain text: the page escapes it
    )
