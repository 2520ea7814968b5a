"""Small builders for rule tests: a rules file from YAML text, readings and events at times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

from hub.domain import DeviceKind
from rules.actions import AnyAction, ClearAlert, RaiseAlert
from rules.compile import RuleSet, compile_rules, parse_rules
from rules.facts import DeviceInfo, EventFact, Observation, ReadingFact

# A composite rule: smoke and heat at one location within its window is a fire.
FIRE = {
    "id": "fire",
    "kind": "composite",
    "match": "all",
    "conditions": [
        {"device_kind": "smoke_sensor", "metric": "smoke", "equals": True},
        {"device_kind": "temperature_sensor", "metric": "temperature_c", "above": 57},
    ],
}

T0 = datetime(2026, 1, 1, tzinfo=UTC)  # 08:00 in Asia/Shanghai
ALERT = {"alert": {"severity": "major", "title": "{rule} {device}"}}

PUMP = DeviceInfo(8, 1, "pump-1", DeviceKind.PUMP, "水泵 Pump", "泵房 Pump room", 60)
GATE = DeviceInfo(9, 1, "gate-north", DeviceKind.GATE, "北门 Gate", "北门 North", 120)
METER = DeviceInfo(10, 1, "wm-b1-101", DeviceKind.WATER_METER, "水表", "B1", 120, building="B1")
SMOKE = DeviceInfo(11, 1, "smoke-1", DeviceKind.SMOKE_SENSOR, "烟感", "B2 corridor", 60)
HEAT = DeviceInfo(12, 1, "temp-1", DeviceKind.TEMPERATURE_SENSOR, "温感", "B2 corridor", 60)
HEAT_ELSEWHERE = DeviceInfo(13, 1, "temp-2", DeviceKind.TEMPERATURE_SENSOR, "温感", "B1 lobby", 60)


def ruleset(*rules: Mapping[str, object]) -> RuleSet:
    """Rules from dicts (each gets the ALERT action unless it names its own)."""
    raw = {"rules": [{"actions": ALERT, **rule} for rule in rules]}
    return compile_rules(parse_rules(raw, source="<test>"))


def write_rules(path: Path, *rules: Mapping[str, object]) -> Path:
    path.write_text(
        yaml.safe_dump({"rules": [{"actions": ALERT, **r} for r in rules]}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def reading(device: DeviceInfo, metric: str, value: object, seconds: float) -> Observation:
    fact = ReadingFact(None, metric, at(seconds), Decimal(str(value)))
    return Observation(device, readings=(fact,))


def swipe(seconds: float, granted: bool, event_id: int | None = None) -> Observation:
    fact = EventFact(event_id, "swipe", at(seconds), {"granted": granted})
    return Observation(GATE, events=(fact,))


def raised(actions: list[AnyAction]) -> list[RaiseAlert]:
    return [a for a in actions if isinstance(a, RaiseAlert) and not a.repeat]


def cleared(actions: list[AnyAction]) -> list[ClearAlert]:
    return [a for a in actions if isinstance(a, ClearAlert)]
