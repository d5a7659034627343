"""The `escrow` command: one entry point for running, demonstrating and auditing the system."""

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
