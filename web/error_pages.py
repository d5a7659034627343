"""Refusals as pages for people, JSON for programs.

The API's error handlers (api/errors.py) answer the error shape. A browser that asked for a page
should not be shown that JSON: a mistyped address, an unpublished quarter at /public/quarters/...,
a record a page cannot find, or a failure on our side answers an HTML page instead, in the
reader's language (`?lang=`, the cookie: web/i18n.py), with the API's sentence for the code
(api/error_catalogue.py) and a way home. A request is for a page when the route it reached is one
(it answers HTML), or when it reached no route and the browser asked for HTML (`Accept`); every
API route keeps its JSON, whatever the client accepts.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from api import errors
from api.errors import ApiError
from domain.steps.rejections import Params
from web.i18n import language_of
from web.templating import refusal_words, render

log = logging.getLogger("web")


def wants_page(request: Request) -> bool:
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        return isinstance(route.response_class, type) and issubclass(route.response_class, HTMLResponse)
    if route is not None:  # a mount (the static files)
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, code: str, params: Params | None = None) -> HTMLResponse:
    """The page for a refusal: its title by status (not found, not allowed, our fault), the code's
    sentence in the reader's language with the refusal's values, the code only as data for scripts
    and tests."""
    kind = {403: "forbidden", 404: "not_found", 410: "not_found"}.get(
        status, "failed" if status >= 500 else "refused"
    )
    context = {"kind": kind, "message": refusal_words(language_of(request), code, params), "code": code}
    return render(request, "error_page.html", context, status_code=status)


def _page_or(answer: errors.Handler) -> errors.Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if not wants_page(request):
            return await answer(request, exc)
        if isinstance(exc, ApiError):
            return error_page(request, exc.status, exc.code, exc.params)
        if isinstance(exc, StarletteHTTPException):
            return error_page(request, exc.status_code, errors.status_code(exc.status_code))
        log.exception("unexpected error on page %s", request.url.path, exc_info=exc)
        return error_page(request, 500, "internal_error")

    return handler


def install_error_pages(app: FastAPI) -> None:
    """After `install_error_handlers`: the same exceptions, answered as pages where pages were asked."""
    for exception in (ApiError, StarletteHTTPException, Exception):
        app.add_exception_handler(exception, _page_or(errors.HANDLERS[exception]))
