"""`escrow publish --quarter 2026Q3`: freeze a quarter's complaint list and show it.

Publishing twice shows the list already published (a published list never changes).
The same run checks each month of the quarter for complaint spikes and puts them in
the council's alert list.
"""

from typing import Any

from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from config.settings import Settings
from db.engine import make_engine
from public_record.periods import BadQuarter, Quarter
from public_record.store import check_quarter_alerts, publish

console = Console()


def run_publish(settings: Settings, quarter_text: str) -> int:
    try:
        quarter = Quarter.parse(quarter_text)
    except BadQuarter as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    engine = make_engine(settings.app_database_url())
    try:
        with console.status(f"counting complaints for {quarter}"), Session(engine) as session:
            document, created = publish(session=session, quarter=quarter)
            alerts = check_quarter_alerts(session=session, quarter=quarter)
    finally:
        engine.dispose()
    print_list(document, created)
    if alerts:
        table = Table(title="complaint spikes (in the council's alerts)")
        for column in ("month", "subject", "count", "baseline", "threshold"):
            table.add_column(column)
        for alert in alerts:
            table.add_row(
                alert.month, alert.label, str(alert.count), str(alert.baseline), f"{alert.threshold:.1f}"
            )
        console.print(table)
    return 0


def print_list(document: dict[str, Any], created: bool) -> None:
    state = "published" if created else "already published"
    table = Table(
        title=f"{document['quarter']}: {state} {document['published_at'][:10]}, served until "
        f"{document['expires_at'][:10]}; {document['complaints_in_quarter']} complaints in the quarter"
    )
    for column in ("#", "business", "address", "complaints", "mediation success"):
        table.add_column(column, justify="right" if column in ("#", "complaints") else "left")
    for b in document["businesses"]:
        rate = "—" if b["mediation_rate"] is None else f"{100 * b['mediation_rate']:.0f}%"
        table.add_row(
            str(b["rank"]),
            b["name"],
            b["address"] or "—",
            str(b["complaints"]),
            f"{rate} ({b['mediation_successes']}/{b['mediated']})",
        )
    console.print(table)
