"""Words on the pages: Simplified Chinese by default, English on request.

Messages are data (one JSON file per language under `web/messages/`) so wording is edited
without touching code. A key missing from English falls back to Chinese; a key missing
everywhere renders as the key itself, so a forgotten message is visible instead of blank.

Grammatical number: English says "1 complaint" but "2 complaints", Chinese says both alike. A
sentence that counts something is written for many under its key, and a language that words
one apart adds `<key>.one`; `translate` takes it when the count is exactly one. The count is
the first of `COUNTS` among the values (a sentence names what it counts with one of them).
"""

import json
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

from fastapi import Request
from markupsafe import Markup

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGE_COOKIE = "lang"
MESSAGES_DIR = Path(__file__).parent / "messages"
COUNTS = ("count", "n", "days", "hours", "minutes", "seconds", "attempts")
SINGULAR = ".one"


@cache
def messages(language: str) -> dict[str, str]:
    """`{language}.json` plus every `*.{language}.json` beside it (one file per group of pages)."""
    merged: dict[str, str] = {}
    for path in [MESSAGES_DIR / f"{language}.json", *sorted(MESSAGES_DIR.glob(f"*.{language}.json"))]:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(language: str, key: str, **values: object) -> str:
    """The message with `values` filled in. A value that is markup already (a moment shown as
    <time>) keeps the whole sentence markup, and every other value is escaped into it: so a
    date can sit inside a sentence without a party's own words ever being read as HTML."""
    key = number_key(language, key, values)
    text = messages(language).get(key) or messages(DEFAULT_LANGUAGE).get(key) or key
    if not values:
        return text
    if any(isinstance(value, Markup) for value in values.values()):
        return Markup(text).format(**values)
    return text.format(**values)


def number_key(language: str, key: str, values: dict[str, object]) -> str:
    """`key.one` when the sentence counts exactly one and `language` words that apart."""
    counted = next((values[name] for name in COUNTS if name in values), None)
    singular = key + SINGULAR
    one = type(counted) is int and counted == 1
    return singular if one and has_word(language, singular) else key


def has_word(language: str, key: str) -> bool:
    return key in messages(language)


def translator(request: Request) -> Callable[..., str]:
    """`translate` fixed to the reader's language, for words built in Python (chart titles)."""
    return partial(translate, language_of(request))


def language_of(request: Request) -> str:
    """`?lang=` wins (a shared link keeps its language), then the cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
