"""Health: 200 only when everything an escrow step needs answers."""

import asyncio
from datetime import timedelta
from typing import Literal

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 3.0


class HealthReport(BaseModel):
    """Not the error shape, even at 503: a probe reads which part is down from `checks`."""

    status: Literal["ok", "degraded"]
    checks: dict[str, str]


async def _temporal(request: Request) -> None:
    await request.app.state.temporal.service_client.check_health(
        timeout=timedelta(seconds=CHECK_TIMEOUT_SECONDS)
    )


def _database(request: Request) -> None:
    with request.app.state.engine.connect() as connection:
        connection.execute(text("select 1"))


async def _bank(request: Request) -> None:
    settings = request.app.state.settings
    async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
        response = await client.get(f"{settings.bank_url}/health")
        response.raise_for_status()


@router.get(
    "/health",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "something an escrow step needs is down"}},
)
async def health(request: Request) -> JSONResponse:
    """Whether the API reaches its database, Temporal and the bank ("degraded" names what not)."""
    checks = {
        "temporal": _temporal(request),
        "database": asyncio.to_thread(_database, request),
        "bank": _bank(request),
    }
    results = await asyncio.gather(
        *(asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS + 1) for check in checks.values()),
        return_exceptions=True,
    )
    status = {
        name: "ok" if not isinstance(result, BaseException) else f"unreachable: {type(result).__name__}"
        for name, result in zip(checks, results, strict=True)
    }
    healthy = all(value == "ok" for value in status.values())
    report = HealthReport(status="ok" if healthy else "degraded", checks=status)
    return JSONResponse(report.model_dump(), status_code=200 if healthy else 503)
