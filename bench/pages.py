"""Page weight and time to interactive of the main pages, in Debian's chromium.

    .venv/bin/python -m bench.pages [--runs 5]            # on a stack of its own
    .venv/bin/python -m bench.pages --api-url http://127.0.0.1:8000   # on a running one (`make run`)

Without `--api-url` it starts a private stack as `escrow bench` does (bench/stack.py:
fresh SQLite databases, free ports, stopped at the end). An escrow is set up over HTTP as
the demo does (stage 1 released, stage 2 waiting for the owner's acceptance), then each
role's pages are loaded in a fresh browser context (cold cache, phone screen) whose session
cookie is the party's token, as sign-in would set it. Weight is the bytes transferred for
the page and everything it loads (Resource Timing `transferSize`); time to interactive is
`domInteractive`, with DOMContentLoaded and load beside it (DCL), and the server's time to
first byte. Medians over the runs. Below the table: the heaviest page and the slowest to
interactive against the targets (TARGET_KIB, TARGET_INTERACTIVE_MS); figures, not pass/fail.
"""

import argparse
import asyncio
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import httpx
from playwright.async_api import Browser, async_playwright
from rich.console import Console
from rich.table import Table

from api.deps import SESSION_COOKIE
from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.stack import bench_settings, running_stack
from client.escrow_session import EscrowSession
from client.party import Party
from config.settings import Settings, get_settings
from sandbox_bank.client import BankClient

TOTAL_FEN = 20_000_000
TARGET_KIB, TARGET_INTERACTIVE_MS = 100, 500  # per page, cold cache, phone screen

MEASURE = """() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    return {
        bytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
        requests: 1 + resources.length,
        server: navigation.responseStart - navigation.requestStart,
        interactive: navigation.domInteractive,
        loaded: navigation.domContentLoadedEventEnd,
        load: navigation.loadEventEnd,
    };
}"""


class Sample(TypedDict):
    """One page load as MEASURE reports it."""

    bytes: int
    requests: int
    server: float
    interactive: float
    loaded: float
    load: float


@dataclass
class Figures:
    page: str
    bytes: list[int]
    requests: int
    server: list[float]
    interactive: list[float]
    loaded: list[float]
    load: list[float]


async def prepare(api_url: str, settings: Settings) -> tuple[str, dict[str, Party]]:
    """An escrow mid-way, so every role's page has its forms, timeline and chart to render."""
    async with (
        httpx.AsyncClient(base_url=api_url, timeout=30) as http,
        BankClient.from_settings(settings) as bank,
    ):
        flow = await EscrowSession(http, bank).register(settings.council_enrolment_secret.get_secret_value())
        await flow.create(total_fen=TOTAL_FEN)
        await flow.sign_contract()
        await flow.deposit(TOTAL_FEN)
        await flow.pass_stage(1)
        await flow.request_inspection(2)
        await flow.report(2, "pass")
        await flow.settled()
        parties = {
            "owner": flow.owner,
            "contractor": flow.contractor,
            "inspector": flow.inspector,
            "council": flow.council,
        }
        return flow.escrow_id, parties


async def measure(browser: Browser, api_url: str, path: str, token: str | None) -> Sample:
    context = await browser.new_context(base_url=api_url, viewport={"width": 390, "height": 844})
    try:
        if token:
            await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": api_url}])
        page = await context.new_page()
        await page.goto(path, wait_until="load")
        sample: Sample = await page.evaluate(MEASURE)
        return sample
    finally:
        await context.close()


async def run(api_url: str, runs: int, settings: Settings) -> list[Figures]:
    escrow_id, parties = await prepare(api_url, settings)
    pages: list[tuple[str, str, str | None]] = [("sign-in", "/signin", None)]
    for role in ("owner", "contractor", "inspector"):
        party = parties[role]
        session = await party.open_session()
        pages.append((f"{role}: my escrows", "/my/escrows", session))
        pages.append((f"{role}: escrow", f"/my/escrows/{escrow_id}", session))
    pages.append(("owner: new contract", "/my/escrows/new", await parties["owner"].open_session()))
    council = await parties["council"].open_session()
    pages += [("council: disputes", "/council", council), ("council: experts", "/council/experts", council)]
    pages.append(("public record", "/public", None))
    results = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, token in pages:
            samples = [await measure(browser, api_url, path, token) for _ in range(runs)]
            results.append(
                Figures(
                    name,
                    [s["bytes"] for s in samples],
                    samples[-1]["requests"],
                    [s["server"] for s in samples],
                    [s["interactive"] for s in samples],
                    [s["loaded"] for s in samples],
                    [s["load"] for s in samples],
                )
            )
        await browser.close()
    return results


async def on_own_stack(runs: int) -> list[Figures]:
    """The run on a private stack, started for it and stopped after."""
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as data_dir:
        settings = bench_settings(Path(data_dir))
        async with running_stack(settings):
            return await run(f"http://127.0.0.1:{settings.api_port}", runs, settings)


def extremes(results: list[Figures]) -> str:
    """The heaviest page and the slowest to interactive, each against its target."""
    heaviest = max(results, key=lambda figures: statistics.median(figures.bytes))
    slowest = max(results, key=lambda figures: statistics.median(figures.interactive))
    kib = statistics.median(heaviest.bytes) / 1024
    interactive = statistics.median(slowest.interactive)

    def verdict(figure: float, target: int) -> str:
        return "within" if figure <= target else "over"

    return (
        f"heaviest page: {heaviest.page}, {kib:.1f} KiB "
        f"({verdict(kib, TARGET_KIB)} the {TARGET_KIB} KiB target)\n"
        f"slowest to interactive: {slowest.page}, {interactive:.0f} ms "
        f"({verdict(interactive, TARGET_INTERACTIVE_MS)} the {TARGET_INTERACTIVE_MS} ms target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", help="a running stack's API (default: start a stack of its own)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.api_url:
        results = asyncio.run(run(args.api_url, args.runs, get_settings()))
    else:
        results = asyncio.run(on_own_stack(args.runs))
    table = Table(title=f"pages in chromium, phone screen, cold cache, median of {args.runs}")
    columns = ("page", "KiB transferred", "requests", "server ms", "interactive ms", "DCL ms", "load ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "page" else "right")
    for figures in results:
        table.add_row(
            figures.page,
            f"{statistics.median(figures.bytes) / 1024:.1f}",
            str(figures.requests),
            f"{statistics.median(figures.server):.0f}",
            f"{statistics.median(figures.interactive):.0f}",
            f"{statistics.median(figures.loaded):.0f}",
            f"{statistics.median(figures.load):.0f}",
        )
    console = Console(width=120)
    console.print(table)
    console.print(extremes(results))


if __name__ == "__main__":
    main()
