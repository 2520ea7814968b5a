"""`hub readings import`: manual meter readings (人工抄表) from a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.errors import InvalidInput
from hub.services.meter_readings import import_readings

readings_app = typer.Typer(help="Meter readings.", no_args_is_help=True)


@readings_app.command("import")
@friendly_errors
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV rows: meter, value, taken_at")],
    site: Annotated[str, typer.Option("--site", help="site code")],
) -> None:
    """Import a meter reader's readings; the file is checked whole, importing twice adds nothing."""
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise InvalidInput(f"{file}: {exc.strerror}") from exc
    context = open_context()
    with context.db.session() as session:
        result = import_readings(session, site_code=site, rows=rows, now=context.clock.now())
    console.print(f"imported {result.imported} readings ({result.unchanged} already stored)")
