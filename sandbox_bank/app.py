"""The sandbox bank's HTTP service: an escrow bank's test mode, on its own database."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import httpx
from fastapi import FastAPI

from config.json_policy import JsonPolicy
from config.settings import Settings
from sandbox_bank import admin, routes
from sandbox_bank.db import make_engine
from sandbox_bank.delivery import WebhookDispatcher
from sandbox_bank.errors import install_error_handlers
from sandbox_bank.faults import FaultInjector, FaultMiddleware, quiet_server_log
from sandbox_bank.state import BankState

WEBHOOK_TIMEOUT_SECONDS = 5.0


def create_app(settings: Settings) -> FastAPI:
    """The schema must already be migrated (`sandbox_bank.migrate.upgrade`)."""
    state = BankState(
        settings=settings,
        engine=make_engine(settings.bank_db_url()),
        faults=FaultInjector(),
        outbox_wakeup=asyncio.Event(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS) as http:
            dispatcher = WebhookDispatcher(
                state.engine,
                settings.webhook_url,
                settings.webhook_secret.get_secret_value().encode(),
                http,
                state.outbox_wakeup,
            )
            task = asyncio.create_task(dispatcher.run_forever(), name="bank-webhooks")
            try:
                yield
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
                state.engine.dispose()

    app = FastAPI(title="Sandbox escrow bank", lifespan=lifespan)
    app.state.bank = state
    install_error_handlers(app)
    app.add_middleware(FaultMiddleware, injector=state.faults)
    app.add_middleware(JsonPolicy)  # outermost: a refused body never reaches a fault or a route
    quiet_server_log()
    app.include_router(routes.router)
    app.include_router(admin.router)
    return app
