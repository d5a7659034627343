"""The error catalogue holds a sentence for every code the code base can raise, in both languages.

The codes are found by reading the source (tests/kits/raised_codes.py), so a new refusal without
its words fails here, naming the code; so does a sentence left for a code nothing raises.
"""

import re
from collections.abc import Callable

import pytest

from api import error_catalogue
from api.error_catalogue import LANGUAGES, catalogue, language_from, message, placeholders
from domain.escrow.steps import StageAccept
from domain.steps.payload_errors import read_payload
from domain.steps.payloads import read_amount, read_integer
from domain.steps.rejections import StepRejected
from tests.kits.raised_codes import codes_in, params_in, passed_params, raised_codes

CODE_SHAPED = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
# The values of codes whose raise sites build `params` in a helper the scan cannot read (a
# payload's bounds, domain/steps/payloads.py `bounds`; an inspector named by the refusal it
# was given, api/inspector_check.py); the tests below hold the helpers to these names.
PASSED_BY_HELPERS = {
    "out_of_range": {"minimum", "maximum", "minimum_fen", "maximum_fen"},
    "too_long": {"maximum"},
    "too_many_items": {"maximum"},
    "inspector_conflict": {"inspector"},
    "inspector_not_accredited": {"inspector"},
}


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


def test_a_sentence_names_only_values_its_raise_sites_pass() -> None:
    """A placeholder no raise site fills would read as an ellipsis to every reader."""
    passed = passed_params()
    unfilled = {
        code: sorted(placeholders(sentence) - passed.get(code, set()) - PASSED_BY_HELPERS.get(code, set()))
        for code, sentence in catalogue("en").items()
    }
    assert not {code: names for code, names in unfilled.items() if names}, unfilled


def test_a_raise_site_passes_only_values_its_sentence_names() -> None:
    """A value passed under another name than the sentence's (`stages` for `stage`) is lost."""
    unsaid = {
        code: sorted(names - placeholders(catalogue("en").get(code, "")))
        for code, names in passed_params().items()
    }
    assert not {code: names for code, names in unsaid.items() if names}, unsaid


def test_the_scan_finds_the_values_a_raise_site_passes() -> None:
    source = """
STALE = "stale_timestamp"
def check(late, n):
    raise conflict("wrong_round", "no", params={"stage": n, "round": 2})
    raise ApiError(409, STALE, "off", params={"behind" if late else "ahead": "0:03:00"})
    raise conflict("stage_frozen", "frozen")
    notify(code="wrong_round", params={"not_a_refusal": 1})
"""
    assert params_in(source) == {"wrong_round": {"stage", "round"}, "stale_timestamp": {"behind", "ahead"}}


def refused_with(read: Callable[[], object]) -> StepRejected:
    with pytest.raises(StepRejected) as refused:
        read()
    return refused.value


def test_payload_bounds_pass_the_values_their_sentence_names() -> None:
    below = refused_with(lambda: read_amount(0, "amount_fen", minimum=1))
    above = refused_with(lambda: read_amount(10**15, "amount_fen"))
    count = refused_with(lambda: read_integer(0, "round", minimum=1))
    schema = refused_with(
        lambda: read_payload(StageAccept, {"stage": 0, "report_hash": "h", "amount_fen": 1})
    )
    assert below.params == {"minimum_fen": 1}
    assert set(above.params) == {"maximum_fen"}
    assert count.params == {"minimum": 1}
    assert (schema.code, schema.params) == ("out_of_range", {"minimum": 1})
    for refusal in (below, above, count, schema):
        assert set(refusal.params) <= PASSED_BY_HELPERS["out_of_range"]
    assert message("out_of_range", "zh-CN", below.params) == "这个数字超出了允许的范围：不能少于 ¥0.01。"
    assert (
        message("out_of_range", "en", count.params) == "This number is outside what is allowed: at least 1."
    )


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
        "fund_not_found",
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_amount_reads_as_yuan_in_both_languages(language: str) -> None:
    said = message("amount_above_outstanding", language, {"outstanding_fen": 6_000_000})
    assert "¥60,000.00" in (said or "")
    assert "6000000" not in (said or "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bracketed_part_is_said_only_with_its_values(language: str) -> None:
    general = message("amount_above_outstanding", language)
    specific = message("amount_above_outstanding", language, {"outstanding_fen": 100})
    assert general and specific and "[" not in general + specific and "{" not in general + specific
    assert "¥1.00" in specific and "¥" not in general and "…" not in general
    # a value of another sentence (or of another name) does not bring the part back
    assert message("amount_above_outstanding", language, {"amount_fen": 100}) == general


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sentence_reads_whole_with_and_without_its_values(language: str) -> None:
    """No sentence ever shows its brackets or braces, whatever its raise site passes."""
    for code, sentence in catalogue(language).items():
        every = dict.fromkeys(placeholders(sentence), 7)
        for said in (message(code, language), message(code, language, every)):
            assert said and not set("[]{}") & set(said), (code, said)
