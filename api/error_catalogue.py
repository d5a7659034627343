"""The one catalogue of error messages: every code the API answers, in zh-CN and in English.

`api/error_messages/{language}.json` maps each code to a sentence a homeowner understands, with
no code inside it. A sentence may name values in braces (`{party_id}`, `{seconds}`), filled from
the `params` its raise site passes (`ApiError(..., params={"party_id": ...})`, a machine's
`conflict(..., params=...)`); both languages use the same ones. The specifics a reader needs (which
party, how much) travel so rather than only in the raise site's English `reason`.

- A value is text or a whole number; one whose name ends in `_fen` is an amount in fen and reads
  as yuan (`¥60,000.00`, domain/money.py) in both languages.
- A part of a sentence in square brackets is said only when the raise site gave every value it
  names: `"The escrow waits for less[ ({outstanding_fen} at most)]."` reads as the general
  sentence from a raise site (or a workflow's recorded refusal) that passes nothing. A value
  named outside brackets and not given reads as an ellipsis; a reply never fails for one.

The error handler (api/errors.py) writes `message` from here in the language of the
request's `Accept-Language`; `code` stays the machine's.

Adding a code: raise it, then add its sentence to both files (and its line to docs/SECURITY.md).
`tests/test_error_catalogue.py` reads the source for every code raised and fails on one missing
from either language, on a sentence no code raises any more, and on placeholders that differ.

The API has no page of its own, so a request that names neither language (a script, curl) is
answered in English; the pages send their own language with every call.
"""

import json
import re
import string
from functools import cache
from pathlib import Path

from domain.money import yuan
from domain.steps.rejections import Params, ParamValue

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "en"
CATALOGUE_DIR = Path(__file__).parent / "error_messages"
# `[ ... ]`: a part said only when its values are given (no brackets nest).
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
MONEY_SUFFIX = "_fen"
# `zh`, `zh-CN`, `zh-Hans-CN`, `zh_cn` are Chinese here; `en`, `en-GB` are English.
_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9-]*)?\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


@cache
def catalogue(language: str) -> dict[str, str]:
    return dict(json.loads((CATALOGUE_DIR / f"{language}.json").read_text(encoding="utf-8")))


def language_from(accept_language: str | None) -> str:
    """The reader's language from an `Accept-Language` header: the one of ours they rank highest."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        match = _TAG.match(part)
        if not match:
            continue
        primary = match.group(1).lower()
        language = {"zh": "zh-CN", "en": "en"}.get(primary)
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if language and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


class _Values(dict[str, object]):
    """A value the raise site did not give reads as an ellipsis rather than failing the reply."""

    def __missing__(self, key: str) -> str:
        return "…"


def shown(name: str, value: ParamValue) -> ParamValue:
    """An amount in fen (`..._fen`, a whole number) as yuan; any other value as it is."""
    if name.endswith(MONEY_SUFFIX) and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    return value


def fill(sentence: str, params: Params) -> str:
    """`sentence` with its values, and its bracketed parts kept only when all their values are given."""

    def optional(part: re.Match[str]) -> str:
        return part.group(1) if placeholders(part.group(1)) <= params.keys() else ""

    values = _Values({name: shown(name, value) for name, value in params.items()})
    return _OPTIONAL.sub(optional, sentence).format_map(values)


def message(code: str, language: str, params: Params | None = None) -> str | None:
    """The sentence for `code` in `language` with `params` filled in, or None for a code the
    catalogue does not hold (the test keeps that from happening)."""
    sentence = catalogue(language).get(code)
    if sentence is None:
        return None
    return fill(sentence, params or {})
