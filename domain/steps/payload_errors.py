"""Reading a signed payload into its model, refused with the codes clients have always seen.

pydantic reports every error at once; a step is refused for one, chosen the way the
hand-written readers this replaced chose it: unknown fields first, then missing ones (each
list sorted, for the object they belong to), then the first field in declaration order
that is wrong, and within it the outermost problem (a list that is not one, or too long,
before its entries; an entry that is not an object before that object's fields). Each
pydantic error type maps onto one code (`CODES`), all of kind INVALID (HTTP 422), with a
plain sentence naming the field; a bound broken (`out_of_range`) is passed as the sentence's
`minimum` or `maximum` (domain/steps/payloads.py `bounds`), and a text's or a list's limit as
`maximum`, so the reader's own language says it too.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from domain.money import MAX_AMOUNT_FEN, yuan
from domain.steps.fields import MAX_ITEMS, MAX_TEXT, StepPayload
from domain.steps.payloads import bounds
from domain.steps.rejections import Params, StepRejected, invalid

P = TypeVar("P", bound=StepPayload)
Sentence = Callable[[str, dict[str, Any]], str]


def _at_least(name: str, ctx: dict[str, Any]) -> str:
    return f"'{name}' must be at least {ctx['ge']}"


def _at_most(name: str, ctx: dict[str, Any]) -> str:
    bound = ctx["le"]
    in_yuan = f" fen ({yuan(bound)})" if bound == MAX_AMOUNT_FEN else ""
    return f"'{name}' must be at most {bound}{in_yuan}"


def _said(predicate: str) -> tuple[Sentence, Sentence]:
    """ "'field' <predicate>", and of a list field's entries "every entry of 'field' <predicate>"."""
    return (lambda n, _: f"'{n}' {predicate}", lambda n, _: f"every entry of '{n}' {predicate}")


def _same(sentence: Sentence) -> tuple[Sentence, Sentence]:
    """A sentence about the field as a whole, said alike when an entry is at fault."""
    return (sentence, sentence)


_NOT_TEXT = ("not_text", *_said("must be a non-empty string"))
_NOT_AN_OBJECT = ("not_an_object", *_said("must be an object"))

# pydantic's error type (or a code a field type raises itself) -> (code, sentence for the field,
# sentence for an entry of a list field)
CODES: dict[str, tuple[str, Sentence, Sentence]] = {
    "int_type": (
        "not_an_integer",
        lambda n, _: f"'{n}' must be an integer (amounts are in fen)",
        lambda n, _: f"every entry of '{n}' must be an integer",
    ),
    "greater_than_equal": ("out_of_range", *_same(_at_least)),
    "less_than_equal": ("out_of_range", *_same(_at_most)),
    "string_type": _NOT_TEXT,
    "not_text": _NOT_TEXT,
    # a text (domain/steps/fields.py)
    "too_long": ("too_long", *_same(lambda n, _: f"'{n}' is longer than {MAX_TEXT} characters")),
    # pydantic's too_long, for a list
    "too_many_items": ("too_many_items", *_same(lambda n, _: f"'{n}' has more than {MAX_ITEMS} items")),
    "bool_type": ("not_a_boolean", *_said("must be true or false")),
    "list_type": ("not_a_list", *_said("must be a list")),
    "dict_type": _NOT_AN_OBJECT,
    "not_an_object": _NOT_AN_OBJECT,
    "model_type": _NOT_AN_OBJECT,
    "bad_choice": (
        "bad_choice",
        lambda n, ctx: f"'{n}' must be one of {ctx['options']}",
        lambda n, ctx: f"every entry of '{n}' must be one of {ctx['options']}",
    ),
    "no_such_stage": (
        "no_such_stage",
        *_same(lambda n, _: f"'{n}' must name stages by their numbers, from 1"),
    ),
    # a key event (domain/keys.py)
    "bad_public_key": ("bad_public_key", *_said("must be the base64 of a 32-byte Ed25519 public key")),
    "bad_label": ("bad_label", *_said("must be a label of 1 to 60 characters")),
    # an evidence file (domain/steps/files.py)
    "not_a_file_hash": (
        "not_a_file_hash",
        *_said("must be 'sha256:' and the 64 lowercase hex digits of an uploaded file's SHA-256"),
    ),
}


def read_payload(model: type[P], raw: dict[str, Any]) -> P:
    """`raw` as `model`, or the one refusal that says what is wrong with it."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise refusal(exc.errors()) from None


def refusal(errors: Sequence[ErrorDetails]) -> StepRejected:
    top_level = [e for e in errors if len(e["loc"]) == 1]
    first = top_level_first(top_level) or min(
        (e for e in errors if e["loc"][0] == errors[0]["loc"][0]), key=lambda e: len(e["loc"])
    )
    parent = first["loc"][:-1]
    siblings = [e for e in errors if e["loc"][:-1] == parent]
    unknown = sorted(str(e["loc"][-1]) for e in siblings if e["type"] == "extra_forbidden")
    if unknown:
        return invalid("unknown_fields", f"unexpected payload fields: {unknown}", field=unknown[0])
    missing = sorted(str(e["loc"][-1]) for e in siblings if e["type"] == "missing")
    if missing:
        return invalid("missing_fields", f"missing payload fields: {missing}", field=missing[0])
    return _mapped(first)


def top_level_first(top_level: list[ErrorDetails]) -> ErrorDetails | None:
    """An unknown or missing field of the payload itself comes before anything else."""
    for kind in ("extra_forbidden", "missing"):
        for error in top_level:
            if error["type"] == kind:
                return error
    return None


def _mapped(error: ErrorDetails) -> StepRejected:
    loc = error["loc"]
    names = [part for part in loc if isinstance(part, str)]
    name = names[-1]
    entry = isinstance(loc[-1], int)
    ctx = dict(error.get("ctx", {}))
    kind = "too_many_items" if error["type"] == "too_long" and "max_length" in ctx else error["type"]
    known = CODES.get(kind)
    if known is None:  # a type no payload field uses: a bug in a declaration, said plainly all the same
        return invalid("invalid_field", f"'{name}' is not valid: {error['msg']}", field=name)
    code, field_sentence, entry_sentence = known
    sentence = entry_sentence if entry else field_sentence
    return invalid(code, sentence(name, ctx), field=name, params=_limits(kind, name, ctx))


def _limits(kind: str, name: str, ctx: dict[str, Any]) -> Params:
    """The values the refusal's sentence names: the bound broken, or how long a text or list may be."""
    if kind == "too_long":
        return {"maximum": MAX_TEXT}
    if kind == "too_many_items":
        return {"maximum": ctx["max_length"]}
    return bounds(name, ctx)
