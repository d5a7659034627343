"""The sandbox SMS gateway: a tiny HTTP app that takes what apprise's JSON plugin posts and keeps it.

apprise reaches it with `json://127.0.0.1:<port>/sms?:to={address}`: the body is apprise's JSON
(`version`, `title`, `message`, `type`, ...) plus `to`, the mobile. A real gateway would send a
text; this one writes it under DATA_DIR/sms for the /dev/messages page.
"""

import json
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from config.http_server import server_config
from config.settings import Settings
from sandbox_messages.store import keep, sms_dir


class Text(BaseModel):
    model_config = ConfigDict(extra="allow")  # apprise adds fields of its own

    to: str = Field(min_length=1, max_length=40)
    title: str = Field(default="", max_length=2000)
    message: str = Field(max_length=10_000)


class Kept(BaseModel):
    kept: str


def create_app(data_dir: Path) -> FastAPI:
    app = FastAPI(title="Sandbox SMS gateway")

    @app.post("/sms", response_model=Kept)
    def receive(text: Text) -> Kept:
        sent: dict[str, Any] = {"to": text.to, "title": text.title, "message": text.message}
        path = keep(sms_dir(data_dir), "json", json.dumps(sent, ensure_ascii=False).encode())
        return Kept(kept=path.name)

    return app


def run(settings: Settings) -> None:
    config = server_config(
        create_app(settings.data_dir), settings, host="127.0.0.1", port=settings.dev_sms_port
    )
    uvicorn.Server(config).run()
