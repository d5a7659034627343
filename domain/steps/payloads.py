"""Reading the optional fields a machine requires only in some cases, once the payload is valid.

A payload's model (domain/steps/fields.py) declares what every payload of a step must be;
a field that is required, or limited to a set of options, only for some cases (a car
case's remedy, a renovation's outcome, the escrow step of a case with an escrow) is
declared optional there and read here, with the codes its absence always had.
"""

from collections.abc import Set
from typing import Any

from domain.money import MAX_AMOUNT_FEN, yuan
from domain.steps.rejections import Params, invalid


def bounds(name: str, limits: dict[str, Any]) -> Params:
    """The `out_of_range` values for field `name` broken against pydantic's `ge` or `le`: `minimum`
    or `maximum`, named `..._fen` for an amount so the reader sees yuan (api/error_catalogue.py)."""
    money = "_fen" if name.endswith("_fen") else ""
    said = {"ge": "minimum", "le": "maximum"}
    return {
        said[key] + money: value for key, value in limits.items() if key in said and isinstance(value, int)
    }


def choice(value: str | None, name: str, options: Set[str]) -> str:
    if value is None:
        raise invalid("not_text", f"'{name}' must be a non-empty string", field=name)
    if value not in options:
        raise invalid("bad_choice", f"'{name}' must be one of {sorted(options)}", field=name)
    return value


def document(value: dict[str, Any] | None, name: str) -> dict[str, Any]:
    if value is None:
        raise invalid("not_an_object", f"'{name}' must be an object", field=name)
    return value


def read_integer(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("not_an_integer", f"'{name}' must be an integer (amounts are in fen)", field=name)
    if value < minimum:
        raise invalid(
            "out_of_range",
            f"'{name}' must be at least {minimum}",
            field=name,
            params=bounds(name, {"ge": minimum}),
        )
    return value


def read_amount(value: Any, name: str, *, minimum: int = 0) -> int:
    """An amount in fen: an integer (never a float, string or boolean) from `minimum` to the bound
    (domain/money.py), refused with the codes a malformed integer always had."""
    fen = read_integer(value, name, minimum=minimum)
    if fen > MAX_AMOUNT_FEN:
        raise invalid(
            "out_of_range",
            f"'{name}' must be at most {MAX_AMOUNT_FEN} fen ({yuan(MAX_AMOUNT_FEN)})",
            field=name,
            params=bounds(name, {"le": MAX_AMOUNT_FEN}),
        )
    return fen
