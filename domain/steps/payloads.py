"""Strict readers for step payloads: a signed payload must say exactly what it means.

Unknown fields are refused rather than ignored, so nothing can ride along in a
signature that the machine did not look at.
"""

from collections.abc import Set
from typing import Any

from domain.money import MAX_AMOUNT_FEN, yuan
from domain.steps.rejections import invalid

MAX_TEXT = 2000
MAX_ITEMS = 100


class Payload:
    def __init__(self, raw: dict[str, Any], *, required: Set[str], optional: Set[str] = frozenset()) -> None:
        unknown = set(raw) - required - optional
        if unknown:
            raise invalid("unknown_fields", f"unexpected payload fields: {sorted(unknown)}")
        missing = required - set(raw)
        if missing:
            raise invalid("missing_fields", f"missing payload fields: {sorted(missing)}")
        self._raw = raw

    def has(self, name: str) -> bool:
        return name in self._raw

    def integer(self, name: str, *, minimum: int = 0, default: int | None = None) -> int:
        return read_integer(self._raw.get(name, default), name, minimum=minimum)

    def amount(self, name: str, *, minimum: int = 0, default: int | None = None) -> int:
        return read_amount(self._raw.get(name, default), name, minimum=minimum)

    def text(self, name: str, *, default: str | None = None, allow_empty: bool = False) -> str:
        value = self._raw.get(name, default)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise invalid("not_text", f"'{name}' must be a non-empty string")
        if len(value) > MAX_TEXT:
            raise invalid("too_long", f"'{name}' is longer than {MAX_TEXT} characters")
        return value

    def choice(self, name: str, options: set[str]) -> str:
        value = self.text(name)
        if value not in options:
            raise invalid("bad_choice", f"'{name}' must be one of {sorted(options)}")
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._raw.get(name, default)
        if not isinstance(value, bool):
            raise invalid("not_a_boolean", f"'{name}' must be true or false")
        return value

    def items(self, name: str, *, default: list[Any] | None = None) -> list[Any]:
        value = self._raw.get(name, default)
        if not isinstance(value, list):
            raise invalid("not_a_list", f"'{name}' must be a list")
        if len(value) > MAX_ITEMS:
            raise invalid("too_many_items", f"'{name}' has more than {MAX_ITEMS} items")
        return value

    def texts(self, name: str) -> list[str]:
        values = self.items(name, default=[])
        if not all(isinstance(v, str) and 0 < len(v) <= MAX_TEXT for v in values):
            raise invalid("not_text", f"every entry of '{name}' must be a non-empty string")
        return values

    def objects(self, name: str, *, default: list[Any] | None = None) -> list[dict[str, Any]]:
        values = self.items(name, default=default)
        if not all(isinstance(v, dict) for v in values):
            raise invalid("not_an_object", f"every entry of '{name}' must be an object")
        return values

    def document(self, name: str) -> dict[str, Any]:
        """A nested JSON object, checked later by the code that knows its shape."""
        value = self._raw.get(name)
        if not isinstance(value, dict):
            raise invalid("not_an_object", f"'{name}' must be an object")
        return value


def read_integer(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("not_an_integer", f"'{name}' must be an integer (amounts are in fen)")
    if value < minimum:
        raise invalid("out_of_range", f"'{name}' must be at least {minimum}")
    return value


def read_amount(value: Any, name: str, *, minimum: int = 0) -> int:
    """An amount in fen: an integer (never a float, string or boolean) from `minimum` to the bound
    (domain/money.py), refused with the codes a malformed integer always had."""
    fen = read_integer(value, name, minimum=minimum)
    if fen > MAX_AMOUNT_FEN:
        raise invalid(
            "out_of_range", f"'{name}' must be at most {MAX_AMOUNT_FEN} fen ({yuan(MAX_AMOUNT_FEN)})"
        )
    return fen
