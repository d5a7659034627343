"""`escrow demo`: one complete renovation escrow against the running stack, over HTTP.

Owner, contractor and inspector each make their own Ed25519 key and sign every
step locally; a council member enrols with the council's secret. The demo ends
with the ledger next to the bank's own balance and fails if they disagree.
"""

import asyncio
import time

import httpx
from rich.console import Console
from rich.table import Table

from client.escrow_session import EscrowSession, conservation_problems
from client.party import StepRefused
from config.settings import Settings
from domain.money import yuan
from sandbox_bank.client import BankClient

TOTAL_FEN = 20_000_000
console = Console()


class Narrator:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.count = 0

    def say(self, text: str) -> None:
        self.count += 1
        console.print(f"[dim]{time.monotonic() - self.started:6.2f}s[/dim] {self.count:>2}. {text}")


async def drive_demo(settings: Settings, api_url: str) -> tuple[int, str]:
    """Exit status and the escrow id: 0 balanced, 1 unbalanced, 2 the stack is not up."""
    async with (
        httpx.AsyncClient(base_url=api_url, timeout=30) as http,
        BankClient.from_settings(settings) as bank,
    ):
        health = await http.get("/health")
        if health.status_code != 200:
            console.print(
                f"[red]the stack is not healthy at {api_url}: {health.text}[/red] (is `make run` up?)"
            )
            return 2, ""
        say = Narrator().say
        flow = await EscrowSession(http, bank).register(settings.council_enrolment_secret.get_secret_value())
        parties = (flow.owner, flow.contractor, flow.inspector)
        say("registered " + ", ".join(f"{p.role} {p.id}" for p in parties))
        created = await flow.create(total_fen=TOTAL_FEN)
        plan = ", ".join(f"{s['name']} {yuan(s['amount_fen'])}" for s in created["terms"]["stages"])
        say(f"contract {flow.escrow_id} drafted: {plan}; retention {yuan(created['terms']['retention_fen'])}")
        await flow.sign_contract()
        say(f"owner and contractor signed terms {flow.terms_hash[:16]}…")
        await flow.deposit(TOTAL_FEN)
        say(f"owner deposited {yuan(TOTAL_FEN)}; the bank confirmed it by signed webhook")

        await flow.pass_stage(1)
        say("stage 1 inspected, passed and accepted: released")
        await flow.request_inspection(2)
        defects = [
            {"description": "hollow tiles", "location": "kitchen wall", "cost_estimate_fen": 80_000},
            {"description": "socket not earthed", "location": "bathroom", "cost_estimate_fen": 20_000},
        ]
        await flow.report(2, "fail", defects)
        say("stage 2 failed inspection with 2 itemised defects")
        await flow.pass_stage(2)
        say("stage 2 rectified, re-inspected, passed and accepted: released")

        await flow.request_inspection(3)
        report_hash = await flow.report(3, "pass")
        holdback = {"item": "door-gap", "description": "bedroom door gap 4 mm", "amount_fen": 300_000}
        await flow.accept_partially(3, report_hash, [holdback])
        say(f"stage 3 accepted partially: {yuan(holdback['amount_fen'])} held back for the door gap")
        await flow.release_holdback(3, ["door-gap"], holdback["amount_fen"])
        say("door gap fixed and signed off: holdback released")
        await flow.pass_stage(4)
        state = await flow.settled()
        say(f"last stage accepted; escrow is in {state['phase']}, retention held for the warranty period")
        return await report_ledger(flow, state), flow.escrow_id


async def report_ledger(flow: EscrowSession, state: dict) -> int:
    ledger = state["ledger"]
    balance = await flow.bank.balance(flow.escrow_id)
    table = Table(title=f"ledger of {flow.escrow_id}")
    table.add_column("")
    table.add_column("escrow workflow", justify="right")
    table.add_column("bank", justify="right")
    rows = [
        ("deposited", ledger["deposited_fen"], balance.deposited_fen),
        ("released to contractor", ledger["released_fen"], balance.paid_out_fen),
        ("refunded to owner", ledger["refunded_fen"], balance.refunded_fen),
        ("held", ledger["held_fen"], balance.balance_fen),
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
    except StepRefused as exc:
        console.print(f"[red]a step was refused: {exc}[/red]")
    except (httpx.HTTPError, TimeoutError) as exc:
        console.print(f"[red]could not complete the demo against {url}: {exc}[/red]")
    return 1
