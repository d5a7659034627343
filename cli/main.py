"""The `escrow` command: run the stack or one part of it, drive a demo, audit a trail."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from config.settings import get_settings, settings_problem

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def load_settings() -> None:
    """Every command reads the settings first, so a process that cannot use them (a development
    secret outside dev, a port that is not a number) stops at once with one line naming the
    variable, rather than a traceback or, worse, a deployment running on a published secret."""
    try:
        get_settings()
    except ValidationError as exc:
        typer.echo(f"escrow: {settings_problem(exc)}", err=True)
        raise typer.Exit(2) from None


@app.command()
def dev() -> None:
    """Run the whole one-machine stack: Temporal dev server, bank, mail and SMS sandboxes, worker and API."""
    from cli.dev import run_dev

    raise typer.Exit(run_dev(get_settings()))


@app.command()
def migrate() -> None:
    """Apply the application database migrations (SQLite or PostgreSQL) and exit."""
    from db.migrate import upgrade

    upgrade(get_settings().app_database_url())


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="worker processes to run on the task queue, one supervisor for all")
    ] = 1,
) -> None:
    """Run escrow workers; start as many, on as many machines, as the load needs.

    Each polls as one Worker Deployment version (ESCROW_DEPLOYMENT_NAME, build id from the
    package version and the commit): docs/OPERATIONS.md shows how a new build is rolled out."""
    from workflows.deployment import UnknownBuild, build_id

    try:
        build_id(get_settings())
    except UnknownBuild as exc:
        typer.echo(f"escrow: {exc}", err=True)
        raise typer.Exit(2) from None
    if concurrency > 1:
        from cli.worker_pool import run_worker_pool

        raise typer.Exit(run_worker_pool(get_settings(), concurrency))
    from workflows.worker import main

    main(get_settings())


@app.command()
def api() -> None:
    """Run one API process on ESCROW_API_HOST:ESCROW_API_PORT."""
    import uvicorn

    from api.main import create_app
    from api.metrics import serve_metrics
    from config.http_server import server_config

    settings = get_settings()
    serve_metrics(settings)
    config = server_config(create_app(settings), settings, host=settings.api_host, port=settings.api_port)
    uvicorn.Server(config).run()


@app.command()
def bank() -> None:
    """Run the sandbox bank on ESCROW_BANK_HOST:ESCROW_BANK_PORT with its own database."""
    from sandbox_bank.server import run

    run(get_settings())


@app.command()
def smtp() -> None:
    """Run the local SMTP server (aiosmtpd) on 127.0.0.1:ESCROW_DEV_SMTP_PORT, keeping every mail."""
    from sandbox_messages.smtp import run

    run(get_settings())


@app.command()
def sms() -> None:
    """Run the sandbox SMS gateway on 127.0.0.1:ESCROW_DEV_SMS_PORT, keeping every text."""
    from sandbox_messages.sms import run

    run(get_settings())


@app.command()
def demo(
    api_url: Annotated[str | None, typer.Option(help="the API to drive; default from settings")] = None,
    dispute: Annotated[
        bool, typer.Option("--dispute", help="a renovation dispute: expert panel, split paid by the escrow")
    ] = False,
    car: Annotated[
        bool, typer.Option("--car", help="a car case: expert panel, the dealer confirms a remedy")
    ] = False,
) -> None:
    """Drive a complete escrow over HTTP as its parties would; exit 1 if the ledger does not balance.

    With --dispute or --car, drive an expert-panel dispute instead (the demo fast-forwards
    the case's clock, so Temporal must allow time skipping, as `escrow dev` does)."""
    if dispute and car:
        raise typer.BadParameter("choose one of --dispute and --car")
    if dispute or car:
        from cli.dispute_demo import exit_skipping_teardown, run_dispute_demo

        exit_skipping_teardown(run_dispute_demo(get_settings(), api_url, car=car))
    from cli.demo import run_demo

    raise typer.Exit(run_demo(get_settings(), api_url))


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="a small run, under two minutes")] = False,
    keep: Annotated[bool, typer.Option("--keep", help="keep the run's data directory")] = False,
    profile: Annotated[
        Path | None, typer.Option(help="py-spy the worker and API during the throughput phase, into this dir")
    ] = None,
) -> None:
    """Measure the engine against a bare workflow on a dev server of its own; print a table and a line."""
    from bench.run import run_bench

    raise typer.Exit(run_bench(quick=quick, keep=keep, profile_dir=profile))


@app.command()
def audit(
    subject_id: Annotated[
        str | None,
        typer.Argument(
            metavar="ID", help="export this escrow's, or this fund's (FUND-...), trail from Temporal"
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="where to write the exported trail")] = None,
    verify: Annotated[Path | None, typer.Option(help="verify this exported file offline instead")] = None,
    files: Annotated[
        Path | None,
        typer.Option(help="also check that every file the steps name is in this folder, unchanged"),
    ] = None,
    files_from_store: Annotated[
        bool,
        typer.Option(
            "--files-from-store",
            help="also check every file the steps name in the evidence store the settings name, unchanged",
        ),
    ] = False,
) -> None:
    """Export an escrow's or a compensation fund's hash-chained trail of signed steps and verify it
    (exit 1 if it fails); --verify FILE checks either kind of file.

    An escrow in its warranty run, or a fund past its first run, holds only that run's steps: the
    earlier ones are read from the audit log in the database the settings name
    (ESCROW_DATABASE_URL). With --files, every evidence file a step names must be in that folder
    (any name, any sub-folder) and hash to what was signed: a table lists each, found or missing,
    and any missing one fails the audit. With --files-from-store the files are read from the
    evidence store the settings name (ESCROW_EVIDENCE_STORE and its ESCROW_EVIDENCE_S3_* settings,
    as the app reads them)."""
    from cli.audit import Files, export_and_verify, store_to_audit, verify_file

    if files is not None and files_from_store:
        raise typer.BadParameter("give --files DIR or --files-from-store, not both")
    source: Files | None = files
    if files_from_store:
        source = store_to_audit(get_settings())
        if source is None:
            raise typer.Exit(2)
    if verify is not None:
        raise typer.Exit(verify_file(verify, source))
    if subject_id is None:
        raise typer.BadParameter("give an escrow's or a fund's ID to export, or --verify FILE")
    raise typer.Exit(export_and_verify(get_settings(), subject_id, out, source))


@app.command("verify-draw")
def verify_draw(case_id: Annotated[str, typer.Argument(help="the case whose panel draws to re-run")]) -> None:
    """Re-run a case's recorded panel draws and confirm they seat the same panel (exit 1 if not)."""
    from cli.verify_draw import verify_case_draws

    raise typer.Exit(verify_case_draws(get_settings(), case_id))


@app.command()
def calendar(
    start: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="count from this day (YYYY-MM-DD)")
    ] = None,
    working_days: Annotated[int | None, typer.Option(min=1, help="how many working days to count")] = None,
    push: Annotated[
        bool, typer.Option("--push", help="send the current calendar to every open case workflow")
    ] = False,
) -> None:
    """Count working days as a case does (last line: the due date, official or provisional), or push
    the calendar (python-holidays and ESCROW_HOLIDAYS_FILE) to the open cases."""
    from cli.calendar import run_push, show_count

    if push:
        raise typer.Exit(run_push(get_settings()))
    if start is None or working_days is None:
        raise typer.BadParameter("give --from YYYY-MM-DD and --working-days N, or --push")
    raise typer.Exit(show_count(get_settings(), start.date(), working_days))


@app.command()
def replay(
    paths: Annotated[
        list[Path],
        typer.Argument(help="histories from `temporal workflow show --output json`, or directories of them"),
    ],
) -> None:
    """Replay exported workflow histories on this code before releasing it (exit 1 if any fails)."""
    from cli.replay import run_replay

    raise typer.Exit(run_replay(paths))


@app.command()
def publish(
    quarter: Annotated[str, typer.Option(help="the quarter to publish, e.g. 2026Q3")],
) -> None:
    """Publish a quarter's top-20 complaint list (kept for a year) and raise complaint-spike alerts."""
    from cli.publish import run_publish

    raise typer.Exit(run_publish(get_settings(), quarter))


@app.command()
def chaos(
    escrows: Annotated[int, typer.Option(min=1, help="escrows driven concurrently")] = 200,
    funds: Annotated[
        int, typer.Option(min=0, help="compensation funds among them, each paying one advance")
    ] = 20,
    duration: Annotated[
        float, typer.Option(min=1, help="seconds over which kills and restarts are spread")
    ] = 60.0,
    worker_kills: Annotated[int, typer.Option(min=0, help="workers SIGKILLed and restarted")] = 3,
    server_restarts: Annotated[int, typer.Option(min=0, help="Temporal dev server restarts")] = 2,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 2,
    error_rate: Annotated[float, typer.Option(min=0, max=1, help="bank money movements answered 503")] = 0.05,
    latency_ms: Annotated[int, typer.Option(min=0, help="latency added to every bank money movement")] = 100,
    drop_rate: Annotated[
        float, typer.Option(min=0, max=1, help="bank movements committed, then the response dropped")
    ] = 0.05,
    seed: Annotated[int, typer.Option(help="same seed, same fault schedule")] = 2026,
    data_dir: Annotated[
        Path | None, typer.Option(help="keep the run's state and logs here (default: a temp dir, removed)")
    ] = None,
) -> None:
    """Drive many escrows through their whole life while killing workers, restarting Temporal and
    breaking the bank, then reconcile bank, workflows and read model (exit 1 on any problem)."""
    from chaos.run import ChaosOptions, run_chaos
    from chaos.schedule import BankFaults

    options = ChaosOptions(
        escrows=escrows,
        funds=min(funds, escrows),
        duration_seconds=duration,
        worker_kills=worker_kills,
        server_restarts=server_restarts,
        workers=workers,
        seed=seed,
        bank=BankFaults(error_rate=error_rate, latency_ms=latency_ms, drop_after_commit_rate=drop_rate),
        data_dir=data_dir,
    )
    raise typer.Exit(run_chaos(options))


if __name__ == "__main__":
    app()
