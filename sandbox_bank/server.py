"""Runs the sandbox bank as a standalone process (`escrow bank`)."""

import uvicorn

from config.http_server import server_config
from config.settings import Settings
from sandbox_bank.app import create_app
from sandbox_bank.migrate import upgrade


def run(settings: Settings) -> None:
    upgrade(settings.bank_db_url())
    config = server_config(create_app(settings), settings, host=settings.bank_host, port=settings.bank_port)
    uvicorn.Server(config).run()
