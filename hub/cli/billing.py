"""`hub billing`: run a month's bills from the command line (finance's monthly job)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.services.billing import run_billing

billing_app = typer.Typer(help="Monthly bills (账单).", no_args_is_help=True)


@billing_app.command("run")
@friendly_errors
def run(
    period: Annotated[str, typer.Option("--period", help="the month to bill, YYYY-MM")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be billed; write nothing")
    ] = False,
) -> None:
    """Bill every home for a month that has ended; running it again bills nobody twice."""
    context = open_context()
    with context.db.session() as session:
        result = run_billing(session, period=period, now=context.clock.now(), dry_run=dry_run)
    title = f"账单 Billing {result.period}" + (" (dry run, nothing written)" if dry_run else "")
    summary = Table(title=title)
    summary.add_column("what")
    summary.add_column("homes", justify="right")
    summary.add_row("billed" if not dry_run else "would be billed", str(len(result.billed)))
    summary.add_row("skipped (already billed)", str(result.skipped))
    summary.add_row("meters with problems (not billed)", str(len(result.problems)))
    console.print(summary)
    if result.problems:
        problems = Table(title="Problems: check these meters")
        for column in ("home", "meter", "problem"):
            problems.add_column(column)
        for problem in result.problems:
            problems.add_row(problem.home, problem.meter, problem.message)
        console.print(problems)
