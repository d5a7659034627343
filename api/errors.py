"""One error shape for every failure: `{"detail": {"code": ..., "message": ...}}`.

Clients branch on `code`; people read `message`, the code's sentence from the error catalogue
(api/error_catalogue.py) in the language of the request's `Accept-Language` (zh-CN or en, English
when it names neither). A raise site passes the values its sentence names as `params`, and may
name the field a refusal concerns (`field`, beside `code`); its own English sentence, often more
precise (which stage, how many fen), stays in `reason` for developers and logs, never for pages.
Validation errors keep FastAPI's list of field errors under `errors` (where, what, which rule) so forms can
point at the field, but never the `input` itself: echoing a bad value back is how a
lone surrogate once turned a 422 into a 500. Every reply is an `ErrorReply`, which can
always be written.

The OpenAPI document declares this shape (`ErrorBody`) for every error status an
operation can answer, through `error_responses`, so a schema-checking client
sees what is really sent instead of FastAPI's default 422 list.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from api import error_catalogue
from api.server_clock import server_time_header
from config.json_policy import ErrorReply, JsonRefused, error_reply, field_errors
from domain.steps.rejections import Params

log = logging.getLogger("api")


class ApiError(Exception):
    """`message` is the raise site's English (the reply's `reason`); `params` fill the catalogue's
    sentence; `details` are more fields of the error's `detail`, beside `code` and `message`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        details: dict[str, Any] | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details or {}
        self.params: Params = params or {}


class ErrorDetail(BaseModel):
    """`message` is in the reader's language; `reason`, when there, is the refusing code's own
    English sentence; `field` names the field a refusal concerns. Some codes carry more:
    `errors` (the fields of `invalid_input`), `rows` (`invalid_rows`),
    `clock_offset_seconds` (`stale_timestamp`: the envelope's timestamp minus the server's time)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorBody(BaseModel):
    detail: ErrorDetail


# What each error status means here; an operation lists the ones it can answer.
ERROR_STATUSES = {
    401: "no token (`not_authenticated`), one no party holds (`bad_token`), or one expired or revoked",
    403: "the caller may not do this; the code says why",
    404: "no such record; the code names what is missing",
    409: "refused in the current state; the code names the rule",
    410: "`list_expired`: the list was published for one year and is gone",
    413: "the body is over the size limit (`body_too_large`)",
    415: "the body is not of the media type this operation reads",
    422: "invalid request: `invalid_input` with `errors`, a JSON policy code, or a rule's own code",
    429: "too many requests from this client; wait for `Retry-After`",
    503: "a service behind the API did not answer; nothing was changed, try again",
    504: "`outcome_unknown`: the step may still be applied; send the same signed envelope again",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: these statuses, each with the error shape."""
    return {status: {"model": ErrorBody, "description": ERROR_STATUSES[status]} for status in statuses}


def reply_language(scope: Scope) -> str:
    return error_catalogue.language_from(Headers(scope=scope).get("accept-language"))


def api_reply(
    scope: Scope,
    status: int,
    code: str,
    reason: str,
    *,
    params: Params | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> ErrorReply:
    """The error shape in the reader's language: the catalogue's sentence as `message`, the raise
    site's own as `reason` when it says more."""
    message = error_catalogue.message(code, reply_language(scope), params) or reason
    if reason != message:
        extra["reason"] = reason
    return error_reply(status, code, message, headers=headers, **extra)


def json_refused(scope: Scope, refused: JsonRefused) -> ErrorReply:
    """The JSON policy's refusal (config/json_policy.py), in the reader's language."""
    return api_reply(scope, refused.status, refused.code, refused.message)


def status_code(status: int) -> str:
    """The code of a refusal Starlette made itself (no route, a method the route does not take)."""
    return {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")


async def api_error(request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, ApiError)
    return api_reply(
        request.scope,
        exc.status,
        exc.code,
        exc.message,
        params=exc.params,
        headers=exc.headers,
        **exc.details,
    )


async def validation_error(request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input"
    return api_reply(request.scope, 422, "invalid_input", message, errors=errors)


async def http_error(request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, StarletteHTTPException)
    return api_reply(request.scope, exc.status_code, status_code(exc.status_code), str(exc.detail))


async def unexpected(request: Request, exc: Exception) -> ErrorReply:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    # Written by Starlette outside every middleware: the server's time is set here.
    return api_reply(
        request.scope,
        500,
        "internal_error",
        "something went wrong on our side; nothing was changed",
        headers=server_time_header(),
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]
# Which handler answers which exception (web/error_pages.py answers the same ones with pages).
HANDLERS: dict[type[Exception], Handler] = {
    ApiError: api_error,
    RequestValidationError: validation_error,
    StarletteHTTPException: http_error,
    Exception: unexpected,
}


def install_error_handlers(app: FastAPI) -> None:
    for exception, handler in HANDLERS.items():
        app.add_exception_handler(exception, handler)
