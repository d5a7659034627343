"""The error catalogue holds a sentence for every code the code base can raise, in both languages.

The codes are found by reading the source (tests/kits/raised_codes.py), so a new refusal without
its words fails here, naming the code; so does a sentence left for a code nothing raises.
"""

import re

import pytest

from api import error_catalogue
from api.error_catalogue import LANGUAGES, catalogue, language_from, message, placeholders
from tests.kits.raised_codes import codes_in, raised_codes

CODE_SHAPED = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_raised_code_has_a_sentence(language: str) -> None:
    missing = sorted(raised_codes() - set(catalogue(language)))
    assert not missing, f"codes raised without a {language} sentence in api/error_messages: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sentence_belongs_to_a_raised_code(language: str) -> None:
    unused = sorted(set(catalogue(language)) - raised_codes())
    assert not unused, f"{language} sentences for codes nothing raises: {unused}"


def test_both_languages_name_the_same_values() -> None:
    english, chinese = catalogue("en"), catalogue("zh-CN")
    differ = {
        code: (placeholders(english[code]), placeholders(chinese.get(code, "")))
        for code in english
        if placeholders(english[code]) != placeholders(chinese.get(code, ""))
    }
    assert not differ, differ


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_are_words_not_codes(language: str) -> None:
    said = {code: re.sub(r"\{\w+\}", "", text) for code, text in catalogue(language).items()}
    coded = {code: text for code, text in said.items() if CODE_SHAPED.search(text) or code in text}
    assert not coded, coded


def test_the_scan_finds_each_way_a_code_is_raised() -> None:
    source = """
class InvalidFacts(ValueError):
    def __init__(self, message, code="invalid_facts"):
        self.code = code
class InvalidThing(ValueError):
    def __init__(self, field, message):
        self.field = field
NOT_NOW = {"done": ("pairing_used", "this pairing is finished")}
REFUSED = {"bad_token": "this token belongs to nobody here"}
NOT_ACCREDITED = "inspector_not_accredited"
def check(process, code: str = "invalid_car_facts"):
    raise ApiError(409, "stage_frozen", "frozen")
    raise ApiError(404, f"{process.noun}_not_found", "none")
    raise conflict("strike_used", "used")
    raise JsonRefused(422, "json_too_deep", "deep")
    code = {404: "not_found"}.get(status, "http_error")
    return NOT_ACCREDITED, f"{who} is not accredited"
    raise InvalidFacts("use must be household", "invalid_car_use")
    raise InvalidFacts("no period", code="car_period_below_minimum")
    raise InvalidThing("expert_id", "a field, not a code")
    found.append(("expert_id", "a field and its problem, not a code"))
"""
    assert codes_in(source) == {
        "pairing_used",
        "bad_token",
        "inspector_not_accredited",
        "invalid_car_facts",
        "stage_frozen",
        "escrow_not_found",
        "case_not_found",
        "strike_used",
        "json_too_deep",
        "not_found",
        "http_error",
        "invalid_car_use",
        "car_period_below_minimum",
        "invalid_facts",
    }


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh-CN"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, zh;q=0.8", "zh-CN"),
        ("zh;q=0, en", "en"),
        ("de", error_catalogue.DEFAULT_LANGUAGE),
        ("zh;q=x", error_catalogue.DEFAULT_LANGUAGE),
    ],
)
def test_the_reader_language_comes_from_accept_language(header: str | None, language: str) -> None:
    assert language_from(header) == language


def test_a_sentence_is_filled_with_its_values() -> None:
    assert message("rate_limited", "en", {"seconds": 7}) == catalogue("en")["rate_limited"].format(seconds=7)
    assert "7" in (message("rate_limited", "zh-CN", {"seconds": 7}) or "")
    # a value the raise site left out never fails the reply
    assert "…" in (message("unknown_party", "en") or "")
    assert message("no_such_code_anywhere", "en") is None
