"""Day-to-day administration: schema, site file, status, accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from hub.cli.output import console, friendly_errors
from hub.context import HubContext
from hub.context import open_context as open_checked_context
from hub.errors import NotFound
from hub.services import audit, auth_sessions, users
from hub.services import site as site_service
from hub.services.status import counts
from hub.settings import get_settings
from hub.site_file import SAMPLE_SITE, parse_site_file
from hub.storage.db import upgrade
from hub.storage.models import User

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
site_app = typer.Typer(help="Site files: buildings, homes, owners, devices.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)


def open_context() -> HubContext:
    return open_checked_context(get_settings())


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    context = open_context()
    upgrade(context.db.engine)
    console.print(f"schema is up to date at {context.db.engine.url.render_as_string()}")


@site_app.command("load")
@friendly_errors
def site_load(
    file: Annotated[Path, typer.Argument(help="site YAML")] = SAMPLE_SITE,
) -> None:
    """Validate a site file and load it; loading it again changes nothing."""
    spec = parse_site_file(file)
    context = open_context()
    upgrade(context.db.engine)
    with context.db.session() as session:
        result = site_service.load_site(session, spec, now=context.clock.now())
    console.print(
        f"loaded site [bold]{spec.site.code}[/]: "
        + ", ".join(f"{n} {name}" for name, n in result.counts.items())
    )
    if result.new_accounts:
        print_accounts(result.new_accounts, "New accounts (change the password at first login)")


def print_accounts(accounts: dict[str, str], title: str) -> None:
    table = Table(title=title)
    table.add_column("username")
    table.add_column("initial password")
    for username, password in accounts.items():
        table.add_row(username, password)
    console.print(table)


@users_app.command("reset-password")
@friendly_errors
def reset_password(username: str) -> None:
    """Give an account a new generated password, to be changed at next login."""
    context = open_context()
    with context.db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            raise NotFound(f"no account {username!r}")
        password = users.reset_password(session, user)
        now = context.clock.now()
        auth_sessions.revoke_all_sessions(session, user.id, now=now, reason="password_reset")
        audit.record(
            session,
            at=now,
            user_id=None,
            action="reset_password",
            target=f"user:{user.id}",
            detail="command line",
        )
    print_accounts({username: password}, "Password reset")


@friendly_errors
def status(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Counts of readings, work orders, alerts, scans, bills and dead letters."""
    context = open_context()
    with context.db.session() as session:
        figures = counts(session)
    if as_json:
        typer.echo(json.dumps(figures, sort_keys=True))
        return
    table = Table(title="Estate Hub status")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in figures.items():
        table.add_row(name, str(value))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(site_app, name="site")
    app.add_typer(users_app, name="users")
    app.command("status")(status)
