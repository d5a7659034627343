"""Why a step was refused, in a form both the workflow and the API understand.

`kind` decides the HTTP status the API answers with, `code` is the
machine-readable reason and `message` is the machine's own English sentence (the API
answers the code's sentence from its catalogue in the reader's language, api/error_catalogue.py,
and keeps this one as `reason`). `field`, when given, names the payload field the refusal
concerns, so a page can point at it. `params` are the few values the catalogue's sentence names
(the stage, the amount in fen, the party): the specifics a reader in either language needs, which
the English `message` also says.
"""

from collections.abc import Mapping
from enum import StrEnum

# A sentence's values: text or whole numbers (amounts named `..._fen`), carried as they are
# through a workflow's failure (api/error_catalogue.py renders them).
ParamValue = str | int
Params = Mapping[str, ParamValue]


class RejectionKind(StrEnum):
    INVALID = "invalid"  # malformed payload -> 422
    FORBIDDEN = "forbidden"  # bad or foreign signature, wrong role -> 403
    CONFLICT = "conflict"  # not allowed in the current state -> 409
    DUPLICATE = "duplicate"  # already applied; callers may treat as success


class StepRejected(Exception):
    def __init__(
        self,
        kind: RejectionKind,
        code: str,
        message: str,
        *,
        field: str | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
        self.params = dict(params or {})

    def details(self) -> dict[str, str]:
        """What a reply carries beside code and message: the field, when known."""
        return {"field": self.field} if self.field else {}


def invalid(
    code: str, message: str, *, field: str | None = None, params: Params | None = None
) -> StepRejected:
    return StepRejected(RejectionKind.INVALID, code, message, field=field, params=params)


def forbidden(code: str, message: str, *, params: Params | None = None) -> StepRejected:
    return StepRejected(RejectionKind.FORBIDDEN, code, message, params=params)


def conflict(code: str, message: str, *, params: Params | None = None) -> StepRejected:
    return StepRejected(RejectionKind.CONFLICT, code, message, params=params)


def duplicate(code: str, message: str, *, params: Params | None = None) -> StepRejected:
    return StepRejected(RejectionKind.DUPLICATE, code, message, params=params)
