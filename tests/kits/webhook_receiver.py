"""An integrator's receiver for outbound webhooks, as docs/WEBHOOKS.md tells one to write it: a
real HTTP server on a free port that keeps every request, and the signature check written from
that page ("Signature"), never the project's signer, so a drift between the two fails a test.
"""

import contextlib
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, body: bytes, timestamp: str, signature: str, tolerance: int = 300) -> bool:
    """The receiver's check, exactly as docs/WEBHOOKS.md tells an integrator to write it."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, signature)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def signed_by(self, secret: str) -> bool:
        return verify(
            secret, self.body, self.headers["X-Escrow-Timestamp"], self.headers["X-Escrow-Signature"]
        )


@dataclass
class Receiver:
    """Answers each request with the next scripted status (the last one repeats) and keeps it."""

    statuses: list[int]
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        index = min(len(self.received) - 1, len(self.statuses) - 1)
        return self.statuses[index]


@contextlib.contextmanager
def receiving(statuses: list[int] | None = None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 (which dev accepts over plain http) until the block ends."""
    state = Receiver(statuses=statuses or [200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(dict(self.headers.items()), body))
            self.send_response(state.answer())
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/escrow-events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
