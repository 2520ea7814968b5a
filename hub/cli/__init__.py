"""The `hub` command: thin typer commands over the services."""

from __future__ import annotations

import typer

from hub.cli import core, demo

app = typer.Typer(help="Estate Hub: facility and security control hub.", no_args_is_help=True)
core.register(app)
demo.register(app)
