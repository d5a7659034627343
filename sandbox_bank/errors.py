"""One error shape for every failure: `{"detail": {"code", "message"}}`.

Clients branch on `code`, never on the message or on FastAPI's default shapes,
so validation errors, unknown routes and crashes are reshaped too. A database
that does not answer is a 503: the client treats it as "try again later".
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from config.json_policy import ErrorReply, error_reply, field_errors

HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


class BankError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BankError, _bank_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _internal_error)


async def _bank_error(_request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, BankError)
    return error_reply(exc.status, exc.code, exc.message)


async def _validation_error(_request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    message = f"Invalid input at {where}: {first['msg']}." if where else f"{first['msg']}."
    return error_reply(422, "invalid_input", message, errors=errors)


async def _http_error(_request: Request, exc: Exception) -> ErrorReply:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return error_reply(exc.status_code, code, f"{exc.detail}.")


async def _database_unavailable(_request: Request, _exc: Exception) -> ErrorReply:
    return error_reply(503, "database_unavailable", "The bank's database is not answering.")


async def _internal_error(_request: Request, _exc: Exception) -> ErrorReply:
    return error_reply(500, "internal_error", "The bank failed unexpectedly.")
