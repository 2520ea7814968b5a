"""The `hub` command: thin typer commands over the services."""

from __future__ import annotations

import typer

from hub.cli import core, demo
from hub.cli.audit import audit_app
from hub.cli.backup import backup_app
from hub.cli.billing import billing_app
from hub.cli.devices import devices_app
from hub.cli.keys import keys_app
from hub.cli.patrol import patrol_app
from hub.cli.readings import readings_app
from hub.cli.rules import rules_app

app = typer.Typer(help="Estate Hub: facility and security control hub.", no_args_is_help=True)
core.register(app)
demo.register(app)
app.add_typer(audit_app, name="audit")
app.add_typer(backup_app, name="backup")
app.add_typer(billing_app, name="billing")
app.add_typer(devices_app, name="devices")
app.add_typer(keys_app, name="keys")
app.add_typer(patrol_app, name="patrol")
app.add_typer(readings_app, name="readings")
app.add_typer(rules_app, name="rules")
