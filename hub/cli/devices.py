"""`hub devices`: what devices need to reach the broker (accounts, passwords, ACLs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.errors import InvalidInput
from hub.services import broker_credentials
from hub.settings import get_settings
from hub.site_file import parse_site_file

devices_app = typer.Typer(help="Devices and their broker accounts.", no_args_is_help=True)


@devices_app.command("credentials")
@friendly_errors
def credentials(
    out: Annotated[
        Path | None, typer.Option(help="folder for passwd, acl and accounts/; default var/broker")
    ] = None,
    site_file: Annotated[
        list[Path] | None,
        typer.Option("--site-file", help="take the devices from site YAML, not the database"),
    ] = None,
    rotate: Annotated[
        list[str] | None, typer.Option(help="give this account (username) a new password")
    ] = None,
) -> None:
    """Write Mosquitto's password and ACL files and a credentials file per device."""
    settings = get_settings()
    if site_file:
        sites = [broker_credentials.from_site_file(parse_site_file(path)) for path in site_file]
    else:
        with open_context().db.session() as session:
            sites = broker_credentials.from_database(session)
    if not sites:
        raise InvalidInput("no site in the database: run `hub site load FILE` or give --site-file")
    accounts = broker_credentials.accounts_for(settings.topic_prefix, sites)
    written = broker_credentials.write_files(
        out or settings.var_dir / "broker", accounts, rotate=rotate or ()
    )
    console.print(
        f"{written.accounts} broker accounts in {written.folder}: {len(written.new)} new, "
        f"{len(written.rotated)} rotated, the others kept their passwords. Copy "
        f"{broker_credentials.PASSWORD_FILE} and {broker_credentials.ACL_FILE} to "
        "/etc/mosquitto/estate/ and reload Mosquitto (kill -HUP)",
        soft_wrap=True,
    )
