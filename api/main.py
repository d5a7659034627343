"""The API application: routers, error handlers and the connections it holds."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from api.errors import error_responses, install_error_handlers, json_refused
from api.gateway import CASE, ESCROW, FUND
from api.metrics import RequestMetrics
from api.rate_limits import RateLimitedRoutes, RateLimits
from api.routes import (
    businesses,
    cases,
    contact,
    delegations,
    escrows,
    evidence,
    experts,
    funds,
    health,
    inbox,
    inspectors,
    key_recovery,
    keys,
    parties,
    party_webhooks,
    public_record,
    steps,
    tokens,
    warnings,
    webhooks,
)
from api.routes.docs import install_docs
from api.server_clock import ServerTime
from config.json_policy import JsonPolicy
from config.security_headers import SecurityHeaders
from config.settings import Settings, get_settings
from db.engine import make_engine
from domain.case.steps import CASE_STEPS
from domain.escrow.steps import ESCROW_STEPS
from domain.fund.steps import FUND_STEPS
from evidence.store import make_store
from web import (
    accreditation_pages,
    bank_pages,
    business_pages,
    claim_pages,
    council_pages,
    dev_pages,
    device_pages,
    escrow_pages,
    expert_pages,
    expert_registry_pages,
    fund_pages,
    inbox_pages,
    party_case_pages,
    party_pages,
    recovery_pages,
    statement_pages,
    warning_pages,
)
from web import routes as pages
from web.error_pages import install_error_pages
from web.session import SignInRequired, to_sign_in
from workflows.connection import connect_temporal

STATIC_DIR = Path(pages.__file__).parent / "static"
# Evidence files and statements are sent as they are: a PDF or a video is compressed already or
# large, and gzipping it would only cost the server CPU and the reader its Content-Length.
NOT_GZIPPED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf", "application/octet-stream")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.temporal = await connect_temporal(settings, lazy=True)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="Renovate-first escrow",
        description="Renovate first, pay later: escrow and dispute steps, each signed by its party.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served from the app's own files: api/routes/docs.py
        redoc_url=None,
        responses=error_responses(413, 422),  # the JSON policy at the edge answers these anywhere
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.app_database_url())
    app.state.evidence_store = make_store(settings)
    install_error_handlers(app)
    install_error_pages(app)  # the same refusals as pages, where a browser asked for one
    app.state.rate_limits = RateLimits(settings)
    # The last added is the outermost: the server's time and the security headers on every
    # answer, metrics count every refusal, rate limits count a request before its body is read,
    # the JSON policy refuses bodies; outermost, text is gzipped for phones on mobile data
    # (pages, scripts, JSON, CSV), never files that are compressed already or streamed whole.
    app.add_middleware(JsonPolicy, reply=json_refused)
    app.add_middleware(RateLimitedRoutes, limits=app.state.rate_limits)
    app.add_middleware(RequestMetrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ServerTime)
    app.add_middleware(GZipMiddleware, minimum_size=1024, exclude_content_types=NOT_GZIPPED)
    app.include_router(health.router)
    app.include_router(parties.router)
    app.include_router(businesses.router)
    app.include_router(delegations.router)
    app.include_router(tokens.router)
    app.include_router(keys.router)
    app.include_router(keys.pairing_router)
    app.include_router(party_webhooks.router)
    app.include_router(contact.router)
    app.include_router(key_recovery.router)
    app.include_router(inbox.router)
    app.include_router(escrows.router)
    steps.register_step_routes(app, ESCROW, "/escrows", ESCROW_STEPS, "escrow steps")
    app.include_router(cases.router)
    steps.register_step_routes(app, CASE, "/cases", CASE_STEPS, "case steps")
    app.include_router(funds.router)
    steps.register_step_routes(app, FUND, "/funds", FUND_STEPS, "fund steps")
    app.include_router(webhooks.router, responses=error_responses(401, 404, 409, 503, 504))
    app.include_router(experts.router)
    app.include_router(inspectors.router)
    app.include_router(inspectors.council_router)
    app.include_router(evidence.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_docs(app)
    app.include_router(pages.router)
    app.include_router(public_record.router)
    app.include_router(public_record.council_router)
    app.include_router(warnings.public_router)
    app.include_router(warnings.council_router)
    app.include_router(party_pages.router)
    app.include_router(escrow_pages.router)
    app.include_router(statement_pages.router)
    # Before party_case_pages (GET /my/cases/{case_id}), so that /my/cases/new is matched as this page.
    app.include_router(claim_pages.router)
    app.include_router(party_case_pages.router)
    app.add_exception_handler(SignInRequired, to_sign_in)
    app.include_router(council_pages.router)
    app.include_router(accreditation_pages.router)
    app.include_router(expert_registry_pages.router)
    app.include_router(business_pages.router)
    app.include_router(expert_pages.router)
    app.include_router(recovery_pages.council_router)
    app.include_router(recovery_pages.router)
    app.include_router(warning_pages.router)
    app.include_router(fund_pages.router)
    app.include_router(bank_pages.router)
    app.include_router(bank_pages.api_router)
    app.include_router(inbox_pages.router)
    app.include_router(device_pages.router)
    app.include_router(dev_pages.router)
    return app
