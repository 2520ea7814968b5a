"""`hub audit`: age out the audit log by hand (the dispatcher also does it every hour)."""

from __future__ import annotations

import typer

from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.services import audit

audit_app = typer.Typer(help="The audit log (审计日志).", no_args_is_help=True)


@audit_app.command("prune")
@friendly_errors
def prune() -> None:
    """Delete entries older than HUB_AUDIT_RETENTION_DAYS (365 by default, at least 180)."""
    context = open_context()
    days = context.settings.audit_retention_days
    with context.db.session() as session:
        removed = audit.prune(session, now=context.clock.now(), retention_days=days)
    console.print(f"{removed} audit entries older than {days} days removed")
