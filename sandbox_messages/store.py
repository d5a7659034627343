"""Keeping and reading back what the dev servers received: one file per message, newest first.

A file is named `<UTC moment, microseconds>-<random>.<ext>` and written under a temporary
name then renamed, so a reader never sees half a message and names sort by arrival.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

MOMENT = "%Y%m%dT%H%M%S%f"


def mailbox_dir(data_dir: Path) -> Path:
    return data_dir / "mailbox"


def sms_dir(data_dir: Path) -> Path:
    return data_dir / "sms"


def keep(folder: Path, extension: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC).strftime(MOMENT)}-{secrets.token_hex(4)}.{extension}"
    temporary = folder / f".{name}.part"
    temporary.write_bytes(content)
    return temporary.replace(folder / name)


@dataclass(frozen=True)
class Received:
    """One mail or text as its reader gets it."""

    channel: Literal["email", "sms"]
    to: str
    title: str
    body: str
    received_at: datetime


def _moment(path: Path) -> datetime:
    return datetime.strptime(path.name.split("-", 1)[0], MOMENT).replace(tzinfo=UTC)


def _mail(path: Path) -> Received:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return Received(
        "email", str(message["To"] or ""), str(message["Subject"] or ""), body.strip(), _moment(path)
    )


def _text(path: Path) -> Received:
    sent = json.loads(path.read_text(encoding="utf-8"))
    return Received(
        "sms",
        str(sent.get("to", "")),
        str(sent.get("title", "")),
        str(sent.get("message", "")),
        _moment(path),
    )


def received(data_dir: Path, limit: int = 200) -> list[Received]:
    """The newest `limit` mails and texts together, newest first."""
    files = [*mailbox_dir(data_dir).glob("*.eml"), *sms_dir(data_dir).glob("*.json")]
    newest = sorted(files, key=lambda path: path.name, reverse=True)[:limit]
    return [_mail(path) if path.suffix == ".eml" else _text(path) for path in newest]
