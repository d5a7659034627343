"""`escrow publish --quarter 2026Q3`: freeze a quarter's complaint list and show it.

Publishing twice shows the list already published (a published list never changes).
The same run checks each month of the quarter for complaint spikes and puts them in
the council's alert list, and keeps a printable A4 notice per district (web/notice_pdf.py) for
community boards, served at /public/quarters/{quarter}/notices/{district}.pdf; publishing again
makes the notices of a list published before notices existed, and leaves kept ones as they are.
"""

from typing import Any

from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from config.settings import Settings
from db.engine import make_engine
from public_record.notices import district_words
from public_record.periods import BadQuarter, Quarter
from public_record.store import check_quarter_alerts, keep_notices, notice_districts, publish
from web.notice_pdf import notices, record_url

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
            made = keep_notices(
                session=session, quarter=quarter, notices=notices(document, public_url=settings.public_url)
            )
            districts = notice_districts(session=session, quarter=quarter)
    finally:
        engine.dispose()
    print_list(document, created)
    print_notices(settings, str(quarter), districts, made)
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


def print_notices(settings: Settings, quarter: str, districts: list[str], made: list[str]) -> None:
    """Each district's notice and where it is served (new ones marked)."""
    if not districts:
        console.print("no district notices: no verified business on the list")
        return
    table = Table(title="notices for community boards (A4 PDF)")
    for column in ("district", "", "address"):
        table.add_column(column)
    for district in districts:
        table.add_row(
            district_words(district).en,
            "new" if district in made else "kept",
            f"{record_url(settings.public_url, quarter)}/notices/{district}.pdf",
        )
    console.print(table)
