"""From an action opening to its email arriving: N escrows, each drafted so that the owner's
signature is awaited, on a stack of its own (`escrow dev`'s children: dev server, bank, the local
SMTP server, worker, API; bench/stack.py).

The owner verifies one email address first (the code read from the local SMTP server's mailbox,
as a person would). Each escrow's open action `contract.sign` for the owner has a `since` (the
escrow workflow's clock when it was drafted); its `action_awaiting` mail is found in the mailbox
by the escrow's id, and the delay is the mail's arrival (the SMTP server's clock, the same
machine's) minus that `since`: projection, signal, notifier, the notify activity, apprise and
SMTP. Escrows are drafted `--concurrency` at a time.

    .venv/bin/python -m bench.notify_latency --escrows 200
"""

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench.drivers import Bench, Recorder, run_many
from bench.stack import bench_settings, running_stack
from client.escrow_session import eventually
from client.party import Party
from sandbox_bank.client import BankClient
from sandbox_messages.store import Received, received
from workflows.connection import connect_temporal

OWNER_MAIL = "bench.owner@example.com"
WAIT_SECONDS = 120.0
console = Console()


def mails(data_dir: Path) -> list[Received]:
    return [m for m in received(data_dir, limit=1_000_000) if m.channel == "email" and m.to == OWNER_MAIL]


async def verify_email(http: httpx.AsyncClient, owner: Party, data_dir: Path) -> None:
    preferences = {"language": "en", "muted": [], "quiet_hours": True}
    (await http.put("/parties/me/preferences", json=preferences, headers=owner.auth)).raise_for_status()
    added = await http.post(
        "/parties/me/channels", json={"kind": "email", "address": OWNER_MAIL}, headers=owner.auth
    )
    added.raise_for_status()

    async def code() -> str | None:
        found = [re.search(r"\b(\d{6})\b", m.title) for m in mails(data_dir)]
        return next((f.group(1) for f in found if f), None)

    digits = await eventually(code, bool, "the verification code", 60.0)
    verified = await http.post(
        f"/parties/me/channels/{added.json()['id']}/verify", json={"code": digits}, headers=owner.auth
    )
    verified.raise_for_status()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def run(escrows: int, concurrency: int, data_dir: Path) -> int:
    settings = bench_settings(data_dir)
    async with running_stack(settings):
        temporal = await connect_temporal(settings)
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=60) as http,
            BankClient(settings.bank_url, settings.bank_timeout_seconds) as bank,
        ):
            bench = await Bench.register(
                http, bank, temporal, settings.council_enrolment_secret.get_secret_value()
            )
            await verify_email(http, bench.owner, settings.data_dir)
            opened: dict[str, object] = {}
            rec = Recorder()

            async def draft() -> None:
                created = await bench.draft()
                opened[created["escrow_id"]] = None

            started = time.perf_counter()
            await run_many(escrows, concurrency, draft, rec, lambda: None, "draft")
            drafted_s = time.perf_counter() - started

            def arrived() -> dict[str, Received]:
                by_escrow: dict[str, Received] = {}
                for mail in mails(settings.data_dir):
                    escrow_id = mail.title.split(":", 1)[0]
                    if escrow_id in opened and "awaited" in mail.title and "sign the contract" in mail.body:
                        by_escrow.setdefault(escrow_id, mail)
                return by_escrow

            async def read() -> dict[str, Received]:
                return arrived()

            await eventually(
                read, lambda found: len(found) == len(opened), "every action's mail", WAIT_SECONDS, 0.5
            )
            delays: list[float] = []
            for escrow_id, mail in arrived().items():
                snapshot = await bench.owner.escrow(escrow_id)
                (action,) = [
                    a
                    for a in snapshot.open_actions
                    if a.action == "contract.sign" and a.party_id == bench.owner.id
                ]
                assert action.since is not None
                delays.append((mail.received_at - action.since).total_seconds() * 1000)
    table = Table(title=f"action opened → its email in aiosmtpd ({len(delays)} escrows)")
    for column in (
        "escrows",
        "concurrency",
        "drafted in s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "mean ms",
        "errors",
    ):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(delays)),
        str(concurrency),
        f"{drafted_s:.1f}",
        f"{percentile(delays, 0.50):.0f}",
        f"{percentile(delays, 0.99):.0f}",
        f"{max(delays):.0f}",
        f"{statistics.fmean(delays):.0f}",
        str(len(rec.errors)),
    )
    console.print(table)
    for error in rec.errors[:5]:
        console.print(error)
    return 1 if rec.errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--escrows", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, help="keep the run's data (and bench.log) here")
    args = parser.parse_args()
    if args.data_dir:
        sys.exit(asyncio.run(run(args.escrows, args.concurrency, args.data_dir)))
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as tmp:
        sys.exit(asyncio.run(run(args.escrows, args.concurrency, Path(tmp))))


if __name__ == "__main__":
    main()
