"""`escrow verify-draw CASE_ID`: re-run every panel draw of a case from its record.

The record holds the seed, the candidates as the registry gave them and every
seat change since; re-running the pure draw must seat the same panel, or the
draw was not the fair one it claims to be. A draw given up because a seat could
not be refilled is re-run too, and that seat change must really be impossible; an
attempt that seated nobody must fall short again, the same way, from its candidates.
"""

import asyncio
from typing import NamedTuple

from rich.console import Console
from rich.table import Table

from config.settings import Settings
from domain.case.draws import AbandonedPanelDraw, DrawEntry, FailedPanelDraw, PanelDraw
from expert_panels.draw import (
    draw_record_from_document,
    failed_draw_from_document,
    verify_abandoned_draw,
    verify_draw,
    verify_failed_draw,
)
from expert_panels.registry import Expert, expert_from_document
from workflows.case import CaseWorkflow
from workflows.case_types import case_workflow_id
from workflows.connection import connect_temporal

console = Console()


async def _draws(settings: Settings, case_id: str) -> list[DrawEntry]:
    client = await connect_temporal(settings)
    handle = client.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))
    return await handle.query(CaseWorkflow.draw_records)


class Checked(NamedTuple):
    """One recorded draw, re-run: how to name it, its rows (expert, outcome), what did not re-run."""

    label: str
    seed: str
    rows: list[tuple[str, str]]
    problems: list[str]


def report_draws(case_id: str, draws: list[DrawEntry]) -> int:
    if not draws:
        console.print(f"[yellow]{case_id} has no panel draw yet[/yellow]")
        return 1
    failures = 0
    for entry in draws:
        candidates = [expert_from_document(raw) for raw in entry.candidates]
        checked = (
            _failed_attempt(entry, candidates)
            if isinstance(entry, FailedPanelDraw)
            else _draw(entry, candidates)
        )
        table = Table(title=f"{case_id} {checked.label}: seed {checked.seed}")
        table.add_column("expert")
        table.add_column("outcome")
        for row in checked.rows:
            table.add_row(*row)
        console.print(table)
        for problem in checked.problems:
            console.print(f"[red]FAIL[/red] {checked.label}: {problem}")
        failures += bool(checked.problems)
    if failures:
        console.print(f"[red]verify-draw: {failures} draw(s) do not re-run as recorded[/red]")
        return 1
    console.print(f"[green]verify-draw: ok[/green] {len(draws)} draw(s) re-run as recorded")
    return 0


def _draw(entry: PanelDraw, candidates: list[Expert]) -> Checked:
    """A draw that seated a panel, as it stands or as it was when given up (`abandoned`)."""
    record = draw_record_from_document(entry.draw)
    abandoned = entry.abandoned if isinstance(entry, AbandonedPanelDraw) else None
    rows = []
    for expert_id in record.candidate_ids:
        if expert_id in record.panel:
            outcome = "chair" if expert_id == record.chair else "panel"
        elif expert_id in record.alternates:
            outcome = "alternate"
        else:
            outcome = record.exclusions.get(expert_id, "not drawn")
        rows.append((expert_id, outcome))
    rows += [(c.leaving_id, f"left: {c.reason} -> {c.replacement_id}") for c in record.replacements]
    if not abandoned:
        return Checked(f"round {entry.round}", record.seed, rows, verify_draw(record, candidates))
    vacated, reason = abandoned.vacated, abandoned.reason
    rows.append((vacated, f"left: {reason} -> nobody: {abandoned.problem}"))
    problems = verify_abandoned_draw(record, candidates, leaving_id=vacated, reason=reason)
    return Checked(f"round {entry.round} (abandoned)", record.seed, rows, problems)


def _failed_attempt(entry: FailedPanelDraw, candidates: list[Expert]) -> Checked:
    """An attempt that seated nobody: it must fall short again, the same way."""
    failed = failed_draw_from_document(entry.draw)
    label = f"round {entry.round} (no panel, {entry.failed.attempts} attempt(s))"
    rows = [(expert_id, failed.exclusions.get(expert_id, "eligible")) for expert_id in failed.candidate_ids]
    rows.append(("", f"no panel: {failed.problem}"))
    return Checked(label, failed.seed, rows, verify_failed_draw(failed, candidates))


def verify_case_draws(settings: Settings, case_id: str) -> int:
    return report_draws(case_id, asyncio.run(_draws(settings, case_id)))
