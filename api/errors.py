"""One error shape for every failure: `{"detail": {"code": ..., "message": ...}}`.

Clients branch on `code`; people read `message`. Validation errors keep
FastAPI's list of field errors under `errors` so forms can point at the field.
The OpenAPI document declares this shape (`ErrorBody`) for every error status an
operation can answer, through `error_responses`, so a schema-checking client
sees what is really sent instead of FastAPI's default 422 list.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ErrorDetail(BaseModel):
    """Some codes carry more: `errors` (the fields of `invalid_input`), `rows` (`invalid_rows`)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorBody(BaseModel):
    detail: ErrorDetail


# What each error status means here; an operation lists the ones it can answer.
ERROR_STATUSES = {
    401: "no bearer token (`not_authenticated`) or one no party holds (`bad_token`)",
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


def error_body(code: str, message: str, **extra) -> dict:
    return {"detail": {"code": code, "message": message, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid input')}" if where else "invalid input"
        return JSONResponse(error_body("invalid_input", message, errors=errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal_error", "something went wrong on our side; nothing was changed"),
            status_code=500,
        )
