"""A stand-in for WeCom's group-bot endpoint, for the chat channels' tests.

apprise's own `wecombot` plugin builds and posts every chat message, as in production; only the
server it posts to cannot run here: the plugin's fixed endpoint, `NotifyWeComBot.notify_url`
(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}), is pointed for one test at a real
HTTP server on 127.0.0.1 that answers as WeCom does (`{"errcode": 0, "errmsg": "ok"}`) and keeps
what it received. Pointing the class attribute reaches every sender because the test stack runs
the API and the workers in the test's own process (tests/conftest.py `running_stack`); nothing in
the project reads a setting for it, so production posts where the plugin always does.
"""

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from apprise.plugins.wecombot import NotifyWeComBot

SEND_PATH = "/cgi-bin/webhook/send"  # the path of WeCom's group-bot API; anything else is a 404


@dataclass
class BotPost:
    """One message a bot received: the `key=` it was posted to, its content type and JSON body."""

    key: str
    content_type: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """What the group reads: the content of a `text` or `markdown` message (WeCom's two
        message types that carry words; anything else has none)."""
        kind = self.body.get("msgtype")
        if kind not in ("text", "markdown"):
            return ""
        return str(self.body.get(kind, {}).get("content", ""))


@dataclass
class WeComBots:
    posts: list[BotPost] = field(default_factory=list)

    def received(self, key: str) -> list[BotPost]:
        """What the bot with this key received, oldest first."""
        return [post for post in list(self.posts) if post.key == key]


@contextlib.contextmanager
def wecom_bots(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeComBots]:
    """WeCom's bot endpoint on a free loopback port until the block ends (and the plugin's own
    endpoint again once the test ends, `monkeypatch` undoing the change)."""
    bots = WeComBots()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            if url.path != SEND_PATH:
                self._answer(404, {"errcode": 404, "errmsg": "not found"})
                return
            key = parse_qs(url.query).get("key", [""])[0]
            bots.posts.append(BotPost(key, self.headers.get("Content-Type", ""), json.loads(raw)))
            self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            encoded = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}{SEND_PATH}?key={{key}}"
    monkeypatch.setattr(NotifyWeComBot, "notify_url", endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield bots
    finally:
        server.shutdown()
        server.server_close()
