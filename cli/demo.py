"""`escrow demo`: one complete renovation escrow against the running stack, over HTTP.

Owner, contractor and inspector each make their own Ed25519 key and sign every
step locally; a council member enrols with the council's secret. The demo ends
with the ledger next to the bank's own balance and fails if they disagree.

It needs only the API's URL: the bank it pays the deposit into is named by the
escrow's deposit instructions. When no escrow stack answers at that URL, it says
so in one sentence and exits 1.
"""

import asyncio
import contextlib
import time
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from cli.demo_files import pdf_document, tiles_photo
from client.escrow_session import EscrowSession, conservation_problems
from client.party import StepRefused
from config.settings import Settings
from domain.escrow.snapshot import EscrowSnapshot
from domain.money import yuan
from sandbox_bank.client import BankClient, BankError

TOTAL_FEN = 20_000_000
HOLDBACK_FEN = 300_000  # held back from stage 3 for the door gap
console = Console()


class Narrator:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.count = 0

    def say(self, text: str) -> None:
        self.count += 1
        console.print(f"[dim]{time.monotonic() - self.started:6.2f}s[/dim] {self.count:>2}. {text}")


async def drive_demo(settings: Settings, api_url: str) -> tuple[int, str]:
    """Exit status and the escrow id: 0 balanced, 1 unbalanced; `StackMissing` if no stack answers."""
    async with contextlib.AsyncExitStack() as scope:
        http = await scope.enter_async_context(httpx.AsyncClient(base_url=api_url, timeout=30))
        await require_stack(http, api_url)
        say = Narrator().say
        flow = await EscrowSession(http).register(settings.council_enrolment_secret.get_secret_value())
        parties = (flow.owner, flow.contractor, flow.inspector)
        say("registered " + ", ".join(f"{p.role} {p.id}" for p in parties))
        created = await flow.create(total_fen=TOTAL_FEN)
        plan = ", ".join(f"{s['name']} {yuan(s['amount_fen'])}" for s in created["terms"]["stages"])
        say(f"contract {flow.escrow_id} drafted: {plan}; retention {yuan(created['terms']['retention_fen'])}")
        bank = await scope.enter_async_context(flow.bank_from_api(settings.bank_timeout_seconds))
        told = await flow.owner.deposit_instructions(flow.escrow_id)
        say(
            f"the escrow's deposit instructions: account {told['account_id']} at {told['bank_name']} "
            f"({bank.base_url}), reference {told['reference']}"
        )
        await flow.sign_contract()
        say(f"owner and contractor signed terms {flow.terms_hash[:16]}…")
        await flow.deposit(TOTAL_FEN)
        say(f"owner deposited {yuan(TOTAL_FEN)}; the bank confirmed it by signed webhook")

        await flow.pass_stage(1)
        say("stage 1 inspected, passed and accepted: released")
        await flow.request_inspection(2, [tiles_photo("stage 2: kitchen and bathroom tiled")])
        defects = [
            {
                "description": "hollow tiles",
                "location": "kitchen wall",
                "cost_estimate_fen": 80_000,
                "photos": [tiles_photo("kitchen wall: hollow tiles, marked in chalk")],
            },
            {
                "description": "socket not earthed",
                "location": "bathroom",
                "cost_estimate_fen": 20_000,
                "photos": [tiles_photo("bathroom socket: the tester shows no earth")],
            },
        ]
        report = pdf_document(
            "Inspection report, stage 2", ["hollow tiles: kitchen wall", "socket not earthed"]
        )
        await flow.report(2, "fail", defects, files=[report])
        say("stage 2 failed inspection with 2 itemised defects, each with its photo, and the report uploaded")
        await flow.pass_stage(2)
        say("stage 2 rectified, re-inspected, passed and accepted: released")

        await flow.request_inspection(3)
        report_hash = await flow.report(3, "pass")
        holdback = {"item": "door-gap", "description": "bedroom door gap 4 mm", "amount_fen": HOLDBACK_FEN}
        await flow.accept_partially(3, report_hash, [holdback])
        say(f"stage 3 accepted partially: {yuan(HOLDBACK_FEN)} held back for the door gap")
        await flow.release_holdback(3, ["door-gap"], HOLDBACK_FEN)
        say("door gap fixed and signed off: holdback released")
        await flow.pass_stage(4)
        state = await flow.settled()
        say(f"last stage accepted; escrow is in {state.phase}, retention held for the warranty period")
        return await report_ledger(flow, bank, state), flow.escrow_id


class StackMissing(Exception):
    """No escrow stack answers at the demo's API URL; the message is the one sentence to print."""


async def require_stack(http: httpx.AsyncClient, api_url: str) -> None:
    """Return if an escrow API answers healthy at `api_url`, else raise `StackMissing` saying why.

    Ours is known by its health answer: `{"status", "checks": {part: state}}`.
    """
    try:
        response = await http.get("/health")
    except httpx.HTTPError as exc:
        raise StackMissing(
            f"no escrow API answers at {api_url} ({in_words(exc)}): is the stack up (`make run`) "
            "and is --api-url its address?"
        ) from exc
    checks = _health_checks(response)
    if checks is None:
        raise StackMissing(
            f"{api_url} answered GET /health with {response.status_code} but not as the escrow API does: "
            "is --api-url the escrow API's address?"
        )
    down = [f"{part} {state}" for part, state in checks.items() if state != "ok"]
    if response.status_code != 200 or down:
        raise StackMissing(
            f"the escrow API at {api_url} answers but its stack is not healthy ({'; '.join(down)}): "
            "wait until `make run` says the stack is up"
        )


def _health_checks(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "status" not in body or not isinstance(body.get("checks"), dict):
        return None
    checks: dict[str, Any] = body["checks"]
    return checks


def in_words(exc: BaseException) -> str:
    """An exception in a few words, for the one sentence a demo ends with."""
    return str(exc) or type(exc).__name__


def fail(sentence: str) -> int:
    """Print the one sentence that says why the demo stopped; the exit status 1."""
    Console(stderr=True, soft_wrap=True).print(sentence, style="red", markup=False, highlight=False)
    return 1


async def report_ledger(flow: EscrowSession, bank: BankClient, state: EscrowSnapshot) -> int:
    ledger = state.ledger
    balance = await bank.balance(flow.escrow_id)
    table = Table(title=f"ledger of {flow.escrow_id}")
    table.add_column("")
    table.add_column("escrow workflow", justify="right")
    table.add_column("bank", justify="right")
    rows = [
        ("deposited", ledger.deposited_fen, balance.deposited_fen),
        ("released to contractor", ledger.released_fen, balance.paid_out_fen),
        ("refunded to owner", ledger.refunded_fen, balance.refunded_fen),
        ("held", ledger.held_fen, balance.balance_fen),
    ]
    for name, ours, banks in rows:
        table.add_row(name, yuan(ours), yuan(banks))
    console.print(table)
    problems = conservation_problems(state)
    problems += [f"{name}: workflow {ours} != bank {banks}" for name, ours, banks in rows if ours != banks]
    if problems:
        for problem in problems:
            console.print(f"[red]unbalanced: {problem}[/red]")
        return 1
    console.print("[green]demo: ledger balanced[/green]")
    return 0


def run_demo(settings: Settings, api_url: str | None = None) -> int:
    url = api_url or f"http://{settings.api_host}:{settings.api_port}"
    try:
        return asyncio.run(drive_demo(settings, url))[0]
    except StackMissing as exc:
        return fail(str(exc))
    except StepRefused as exc:
        return fail(f"a step was refused: {exc}")
    except BankError as exc:
        return fail(f"the bank named by the escrow's deposit instructions failed: {in_words(exc)}")
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
        return fail(f"could not complete the demo against {url}: {in_words(exc)}")
