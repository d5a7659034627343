"""The field types a signed payload is declared with, and the model every payload derives from.

A signed payload must say exactly what it means: unknown fields are refused rather than
ignored (nothing can ride along in a signature that the machine did not look at), and
values are never coerced (strict: 100000.0, "100000" and true are not integers, 1 is not
a boolean). Each type refuses a value with the code the project's clients know
(domain/steps/payload_errors.py turns pydantic's errors into those codes); the checks
pydantic's own constraints would order differently (a blank text, a list entry) are
written here, and the OpenAPI document still shows their bounds.

A field with a default is optional; the default is what the machine acts on when the
field is absent, and an explicit null is refused like any other wrong value.
"""

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from domain.money import MAX_AMOUNT_FEN

MAX_TEXT = 2000
MAX_ITEMS = 100


class StepPayload(BaseModel):
    """A signed step's payload: extra fields forbidden, nothing coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("not_text", "not a non-empty text")
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("too_long", "too long")
    return value


def _any_text(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("too_long", "too long")
    return value


def _entry(value: str) -> str:
    """A list entry: any text from 1 to MAX_TEXT characters (blank allowed, as it always was)."""
    if not 0 < len(value) <= MAX_TEXT:
        raise PydanticCustomError("not_text", "not a non-empty text")
    return value


@dataclass(frozen=True, init=False)
class OneOf:
    """On a `Text`: it must be one of `options`. No text at all is refused as `not_text`, another
    text as `bad_choice`; the OpenAPI document lists the options."""

    options: tuple[str, ...]

    def __init__(self, *options: str) -> None:
        object.__setattr__(self, "options", tuple(sorted(options)))

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(schema) | {"enum": list(self.options)}

    def _check(self, value: str) -> str:
        if value not in self.options:
            raise PydanticCustomError("bad_choice", "not one of the options", {"options": list(self.options)})
        return value


def refused_as(code: str) -> WrapValidator:
    """Whatever is wrong with the value, it is refused with `code` (e.g. a stage number that is
    not one: `no_such_stage`, whether it is a string or zero)."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValueError:  # pydantic's ValidationError is one
            raise PydanticCustomError(code, code) from None

    return WrapValidator(check)


def refuse_null(code: str) -> WrapValidator:
    """On an optional field whose absence the machine tells apart (`X | None = None`): None means
    absent, an explicit null is refused with `code`, as the field's type refuses other values."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if value is None:
            raise PydanticCustomError(code, code)
        return handler(value)

    return WrapValidator(check)


# A non-blank text of at most MAX_TEXT characters.
Text = Annotated[
    StrictStr, AfterValidator(_text), Field(json_schema_extra={"minLength": 1, "maxLength": MAX_TEXT})
]
# Any text of at most MAX_TEXT characters, the empty one included.
AnyText = Annotated[StrictStr, AfterValidator(_any_text), Field(json_schema_extra={"maxLength": MAX_TEXT})]
# A list of up to MAX_ITEMS texts of 1 to MAX_TEXT characters (hashes of evidence, holdback items).
Texts = Annotated[
    list[
        Annotated[
            StrictStr,
            AfterValidator(_entry),
            Field(json_schema_extra={"minLength": 1, "maxLength": MAX_TEXT}),
        ]
    ],
    Field(max_length=MAX_ITEMS),
]
Number = Annotated[StrictInt, Field(ge=1)]  # stages, rounds, disputes, claims, change orders
Count = Annotated[StrictInt, Field(ge=0)]  # days
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_FEN)]  # an amount, zero allowed
PositiveFen = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT_FEN)]
Flag = StrictBool
T = TypeVar("T")
Objects = Annotated[list[T], Field(max_length=MAX_ITEMS)]  # nested objects, each its own model
# Stage numbers named in a list, each refused as `no_such_stage` unless a number from 1 (the machine
# knows how many stages there are).
StageNumbers = Annotated[
    list[Annotated[StrictInt, Field(ge=1), refused_as("no_such_stage")]], Field(max_length=MAX_ITEMS)
]
# A nested JSON object, checked later by the code that knows its shape (an opinion, an escrow step).
Document = dict[str, Any]
MaybeText = Annotated[Text | None, refuse_null("not_text")]
MaybeDocument = Annotated[Document | None, refuse_null("not_an_object")]
MaybeNumber = Annotated[Number | None, refuse_null("int_type")]
