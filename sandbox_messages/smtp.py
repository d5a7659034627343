"""The local SMTP server (aiosmtpd on 127.0.0.1:ESCROW_DEV_SMTP_PORT): accepts any mail, keeps it."""

import asyncio
import signal
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from config.settings import Settings
from sandbox_messages.store import keep, mailbox_dir


class KeepEveryMail:
    """aiosmtpd's handler: every mail accepted is written to `folder` as it arrived (.eml)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        await asyncio.to_thread(keep, self.folder, "eml", content)
        return "250 Message accepted for delivery"


def mail_server(data_dir: Path, port: int) -> Controller:
    """A started-on-demand server (`.start()` / `.stop()`), as `escrow smtp` and the tests run it."""
    return Controller(KeepEveryMail(mailbox_dir(data_dir)), hostname="127.0.0.1", port=port)


def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT (blocked first, so aiosmtpd's thread inherits the mask and
    the main thread alone takes them, then stops the server cleanly)."""
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    server = mail_server(settings.data_dir, settings.dev_smtp_port)
    server.start()
    print(f"SMTP server on 127.0.0.1:{settings.dev_smtp_port}, mail kept in {mailbox_dir(settings.data_dir)}")
    try:
        signal.sigwait(stop)
    finally:
        server.stop()
