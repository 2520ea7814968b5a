"""The `hub` command: thin typer commands over the services."""

from __future__ import annotations

import typer

app = typer.Typer(help="Estate Hub: facility and security control hub.", no_args_is_help=True)
