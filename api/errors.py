"""One error shape for every failure: `{"detail": {"code": ..., "message": ...}}`.

Clients branch on `code`; people read `message`. Validation errors keep
FastAPI's list of field errors under `errors` (where, what, which rule) so forms can
point at the field, but never the `input` itself: echoing a bad value back is how a
lone surrogate once turned a 422 into a 500. Every reply is an `ErrorReply`, which can
always be written.

The OpenAPI document declares this shape (`ErrorBody`) for every error status an
operation can answer, through `error_responses`, so a schema-checking client
sees what is really sent instead of FastAPI's default 422 list.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.server_clock import server_time_header
from config.json_policy import ErrorReply, error_reply, field_errors

log = logging.getLogger("api")


class ApiError(Exception):
    """`details` are more fields of the error's `detail`, beside `code` and `message`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details or {}


class ErrorDetail(BaseModel):
    """Some codes carry more: `errors` (the fields of `invalid_input`), `rows` (`invalid_rows`),
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> ErrorReply:
        return error_reply(exc.status, exc.code, exc.message, headers=exc.headers, **exc.details)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> ErrorReply:
        errors = field_errors(exc.errors())
        first = errors[0] if errors else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input"
        return error_reply(422, "invalid_input", message, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> ErrorReply:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_reply(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> ErrorReply:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        # Written by Starlette outside every middleware: the server's time is set here.
        return error_reply(
            500,
            "internal_error",
            "something went wrong on our side; nothing was changed",
            headers=server_time_header(),
        )
