"""`hub rules test`: replay a CSV of readings through a rules file, with no database at all.

Timers run at their exact deadlines between readings, so a duration rule shows the moment it
would have fired in the hub, not the time of the next reading.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.errors import InvalidInput
from hub.site_file import SiteFile
from rules.actions import AnyAction
from rules.compile import RuleSet
from rules.engine import Engine
from rules.facts import DeviceInfo, Observation, ReadingFact

COLUMNS = ("ts", "device", "metric", "value")


@dataclass(frozen=True)
class Row:
    line: int
    ts: datetime
    device: DeviceInfo
    metric: str
    value: Decimal


@dataclass(frozen=True)
class Fired:
    at: datetime
    device: str
    action: AnyAction


def devices_from_site(site: SiteFile) -> dict[str, DeviceInfo]:
    """The site file's devices as the engine sees them (ids by position)."""
    return {
        spec.code: DeviceInfo(
            id=number,
            site_id=1,
            code=spec.code,
            kind=spec.kind,
            name=spec.name,
            location=spec.location,
            heartbeat_s=spec.heartbeat_s,
            building=spec.building or (spec.home or "").split("/")[0],
            timezone=site.site.timezone,
        )
        for number, spec in enumerate(site.devices, start=1)
    }


def read_rows(path: Path, devices: Mapping[str, DeviceInfo], timezone: str) -> list[Row]:
    """Rows `ts,device,metric,value` (a header line is optional); times without an offset are
    the site's local time; `true`/`false` become 1/0. A bad row names its line."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None
    rows = []
    for number, cells in enumerate(lines, start=1):
        if not cells or (number == 1 and tuple(c.strip() for c in cells) == COLUMNS):
            continue
        rows.append(_row(path, number, cells, devices, ZoneInfo(timezone)))
    return sorted(rows, key=lambda r: (r.ts, r.line))


def _row(
    path: Path, number: int, cells: list[str], devices: Mapping[str, DeviceInfo], zone: ZoneInfo
) -> Row:
    where = f"{path}:{number}"
    if len(cells) != len(COLUMNS):
        raise InvalidInput(f"{where}: expected {','.join(COLUMNS)}, got {len(cells)} columns")
    ts_text, code, metric, value_text = (cell.strip() for cell in cells)
    try:
        ts = datetime.fromisoformat(ts_text)
    except ValueError:
        raise InvalidInput(f"{where}: ts {ts_text!r} is not an ISO 8601 time") from None
    device = devices.get(code)
    if device is None:
        raise InvalidInput(f"{where}: device {code!r} is not in the site file")
    booleans = {"true": Decimal(1), "false": Decimal(0)}
    try:
        value = (
            booleans[value_text.lower()] if value_text.lower() in booleans else Decimal(value_text)
        )
    except InvalidOperation:
        raise InvalidInput(f"{where}: value {value_text!r} is not a number") from None
    return Row(number, ts if ts.tzinfo else ts.replace(tzinfo=zone), device, metric, value)


def replay(rules: RuleSet, rows: Iterable[Row], *, until: datetime | None = None) -> list[Fired]:
    """What the rules would do for these readings, in time order; timers up to `until`."""
    engine = Engine(rules)
    codes: dict[int, str] = {}
    fired: list[Fired] = []
    last: datetime | None = None
    for row in rows:
        codes[row.device.id] = row.device.code
        fired += _timers(engine, row.ts, codes)
        fact = ReadingFact(None, row.metric, row.ts, row.value)
        actions = engine.observe(Observation(row.device, readings=(fact,)), row.ts)
        fired += [Fired(row.ts, row.device.code, action) for action in actions]
        last = row.ts
    end = until or last
    if end is not None:
        fired += _timers(engine, end, codes)
    return fired


def _timers(engine: Engine, now: datetime, codes: Mapping[int, str]) -> list[Fired]:
    """Run each timer due by `now` at its own deadline."""
    fired = []
    due = engine.next_due()
    while due is not None and due <= now.timestamp():
        when = datetime.fromtimestamp(due, now.tzinfo)
        fired += [Fired(when, codes[a.device_id], a) for a in engine.tick(when)]
        due = engine.next_due()
    return fired
