"""The API's Prometheus metrics: request latency by route template, served on their own port.

Labels use the route's template (`/escrows/{subject_id}/stages/{number}/acceptance`),
never the raw path, so the number of series stays bounded however many escrows exist.
The histogram lives at module level: one per process, however many apps a test builds.
"""

import logging
import time

from fastapi.routing import iter_route_contexts
from prometheus_client import Histogram, start_http_server
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.settings import Settings

REQUEST_SECONDS = Histogram(
    "escrow_api_request_duration_seconds",
    "Time from request to response, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class RequestMetrics:
    """Plain ASGI middleware (no BaseHTTPMiddleware: it would add a task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            REQUEST_SECONDS.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is not None:
        return str(route.path)
    # Not routed (404, 405, or refused at the edge by the JSON policy): name it, don't echo it.
    # FastAPI keeps included routers as branches; iter_route_contexts flattens them to routes.
    for candidate in iter_route_contexts(scope["app"].routes):
        if candidate.matches(scope)[0] is Match.FULL and candidate.path is not None:
            return candidate.path
    return "unmatched"


def serve_metrics(settings: Settings) -> None:
    """Start the exposition server in a thread when a port is configured.

    A port already taken (a second API on the same machine with the default) costs the
    metrics, never the API: it logs a warning and serves without them.
    """
    if not settings.api_metrics_port:
        return
    try:
        start_http_server(settings.api_metrics_port, addr=settings.metrics_host)
    except OSError as exc:
        logging.getLogger("metrics").warning(
            "no API metrics on %s:%s: %s", settings.metrics_host, settings.api_metrics_port, exc
        )
