"""Pages every visitor shares: the home page and the language switch."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import HTMLResponse

from web.i18n import LANGUAGE_COOKIE
from web.local_path import local_path
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

ONE_YEAR_SECONDS = 365 * 24 * 3600


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/lang/{language}")
def switch_language(
    request: Request, language: Annotated[str, Path(pattern="^(zh-CN|en)$")]
) -> RedirectResponse:
    """Remember the choice in a cookie and go back to the same page (only ever to a local path)."""
    back = local_path(request.query_params.get("next")) or "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_SECONDS, samesite="lax")
    return response
