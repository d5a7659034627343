"""`/dev/messages`: what the local SMTP server and the sandbox SMS gateway received, newest first,
as each person would read it. Only with ESCROW_ENVIRONMENT=dev: anywhere else the page does not
exist (404), since it shows every party's mail."""

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from api.deps import SettingsDep
from api.errors import ApiError
from sandbox_messages.store import received
from web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/dev/messages", response_class=HTMLResponse)
def dev_messages(request: Request, settings: SettingsDep) -> HTMLResponse:
    if settings.environment != "dev":
        raise ApiError(404, "not_found", "no such page")
    return render(request, "dev/messages.html", {"messages": received(settings.data_dir)})
