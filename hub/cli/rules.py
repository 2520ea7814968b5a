"""`hub rules`: check a rules file, or replay readings through it, without the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from hub.cli.output import console, friendly_errors
from hub.errors import InvalidInput
from hub.site_file import parse_site_file
from rules.actions import ClearAlert, Notify, RaiseAlert, SendCommand
from rules.compile import load_rules
from rules.replay import Fired, devices_from_site, read_rows, replay

rules_app = typer.Typer(help="Rules files (规则).", no_args_is_help=True)
SAMPLE_SITE = Path(__file__).resolve().parent.parent / "samples" / "site.yaml"


@rules_app.command("check")
@friendly_errors
def check(file: Annotated[Path, typer.Argument(help="the rules file (YAML)")]) -> None:
    """Validate a rules file; a bad file is refused whole, naming line, rule and field."""
    rules = load_rules(file)
    kinds = sorted({rule.kind for rule in rules.rules})
    console.print(f"{file}: {len(rules.rules)} rules OK ({', '.join(kinds) or 'none'})")


@rules_app.command("test")
@friendly_errors
def replay_file(
    file: Annotated[Path, typer.Argument(help="the rules file (YAML)")],
    replay_csv: Annotated[Path, typer.Option("--replay", help="CSV: ts,device,metric,value")],
    site: Annotated[Path, typer.Option("--site", help="site file with the devices")] = SAMPLE_SITE,
    until: Annotated[
        str | None, typer.Option("--until", help="run timers up to this ISO time")
    ] = None,
) -> None:
    """Print what the rules would do for these readings, when and why; writes nothing."""
    rules = load_rules(file)
    spec = parse_site_file(site)
    rows = read_rows(replay_csv, devices_from_site(spec), spec.site.timezone)
    end = _time(until, rows[-1].ts if rows else None) if until else None
    fired = replay(rules, rows, until=end)
    zone = ZoneInfo(spec.site.timezone)
    title = f"{file} × {replay_csv}: {len(rows)} readings, {len(fired)} actions ({zone})"
    table = Table(title=title)
    for column in ("time 时间", "device 设备", "rule 规则"):
        table.add_column(column, no_wrap=True)
    table.add_column("action 动作")
    table.add_column("why 原因")
    for item in fired:
        when = f"{item.at.astimezone(zone):%Y-%m-%d %H:%M:%S}"
        table.add_row(when, item.device, item.action.rule_id, _what(item), item.action.reason)
    console.print(table)


def _time(text: str, like: datetime | None) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--until {text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None and like is not None:
        value = value.replace(tzinfo=like.tzinfo)
    return value


def _what(item: Fired) -> str:
    action = item.action
    if isinstance(action, ClearAlert):
        return "clear alert 解除"
    if isinstance(action, Notify):
        return "notify 通知"
    if isinstance(action, SendCommand):
        return f"command {action.command}"
    again = "repeat " if action.repeat else ""
    if isinstance(action, RaiseAlert):
        return f"{again}alert {action.severity}"
    return f"{again}work order {action.category}/{action.priority}"
