"""Rules file -> checkers, once at load, indexed by device kind (and metric or event kind).

A message then only meets the checkers that can match it, so evaluation cost grows with the
matching rules, not with the size of the file. A checker only judges ("fire" or "clear", and
why); turning a judgement into work orders and alerts is the engine's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from hub.config_files import read_yaml
from hub.domain import DeviceKind
from hub.errors import ConfigError
from rules.facts import DeviceInfo, EventFact, ReadingFact
from rules.model import EventRule, OfflineRule, Rule, RuleFile, ThresholdRule


@dataclass(frozen=True)
class Judgement:
    fire: bool  # False: the condition is gone (clear)
    reason: str


def _show(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ref(reading: ReadingFact) -> str:
    return f" (reading {reading.id})" if reading.id is not None else ""


@dataclass(frozen=True)
class _Checker:
    rule: Rule
    codes: frozenset[str] | None

    def applies_to(self, device: DeviceInfo) -> bool:
        return self.codes is None or device.code in self.codes


@dataclass(frozen=True)
class ThresholdChecker(_Checker):
    rule: ThresholdRule

    def judge(self, reading: ReadingFact) -> Judgement | None:
        """Fire, clear, or None when the value is in the hysteresis band (or not a number)."""
        value, rule = reading.value, self.rule
        if value is None:
            return None
        if rule.equals is not None:
            wanted = Decimal(1 if rule.equals else 0)
            shown = {Decimal(1): "true", Decimal(0): "false"}.get(value, _show(value))
            return Judgement(value == wanted, f"{rule.metric} = {shown}{_ref(reading)}")
        shown = f"{rule.metric} = {_show(value)}"
        if rule.above is not None:
            if value > rule.above:
                return Judgement(True, f"{shown} > {_show(rule.above)}{_ref(reading)}")
            if rule.clear_below is None:
                return Judgement(False, f"{shown} ≤ {_show(rule.above)}{_ref(reading)}")
            if value < rule.clear_below:
                return Judgement(False, f"{shown} < {_show(rule.clear_below)}{_ref(reading)}")
            return None
        assert rule.below is not None  # the model requires exactly one condition
        if value < rule.below:
            return Judgement(True, f"{shown} < {_show(rule.below)}{_ref(reading)}")
        if rule.clear_above is None:
            return Judgement(False, f"{shown} ≥ {_show(rule.below)}{_ref(reading)}")
        if value > rule.clear_above:
            return Judgement(False, f"{shown} > {_show(rule.clear_above)}{_ref(reading)}")
        return None


@dataclass(frozen=True)
class EventChecker(_Checker):
    rule: EventRule

    def judge(self, event: EventFact) -> Judgement | None:
        """Fire when every `where` field equals the event's data; events never clear."""
        if any(event.data.get(k) != v for k, v in self.rule.where.items()):
            return None
        detail = " ".join(f"{k}={v}" for k, v in self.rule.where.items())
        ref = f" (event {event.id})" if event.id is not None else ""
        return Judgement(True, f"{event.kind}{' ' + detail if detail else ''}{ref}")


@dataclass(frozen=True)
class OfflineChecker(_Checker):
    rule: OfflineRule

    def silence_limit(self, device: DeviceInfo) -> timedelta:
        return timedelta(seconds=device.heartbeat_s * self.rule.factor)


@dataclass(frozen=True)
class RuleSet:
    source: str
    rules: tuple[Rule, ...]
    thresholds: Mapping[tuple[DeviceKind, str], tuple[ThresholdChecker, ...]]
    events: Mapping[tuple[DeviceKind, str], tuple[EventChecker, ...]]
    offline: Mapping[DeviceKind, tuple[OfflineChecker, ...]]

    def thresholds_for(self, device: DeviceInfo, metric: str) -> list[ThresholdChecker]:
        checkers = self.thresholds.get((device.kind, metric), ())
        return [c for c in checkers if c.applies_to(device)]

    def events_for(self, device: DeviceInfo, kind: str) -> list[EventChecker]:
        return [c for c in self.events.get((device.kind, kind), ()) if c.applies_to(device)]

    def offline_for(self, device: DeviceInfo) -> list[OfflineChecker]:
        return [c for c in self.offline.get(device.kind, ()) if c.applies_to(device)]

    @property
    def offline_kinds(self) -> frozenset[DeviceKind]:
        return frozenset(self.offline)


def compile_rules(spec: RuleFile, *, source: str = "<rules>") -> RuleSet:
    """Index every rule under each device kind it selects."""
    thresholds: dict[tuple[DeviceKind, str], list[ThresholdChecker]] = defaultdict(list)
    events: dict[tuple[DeviceKind, str], list[EventChecker]] = defaultdict(list)
    offline: dict[DeviceKind, list[OfflineChecker]] = defaultdict(list)
    for rule in spec.rules:
        codes = frozenset(rule.devices) if rule.devices is not None else None
        for kind in rule.kinds:
            if isinstance(rule, ThresholdRule):
                thresholds[(kind, rule.metric)].append(ThresholdChecker(rule, codes))
            elif isinstance(rule, EventRule):
                events[(kind, rule.event)].append(EventChecker(rule, codes))
            else:
                offline[kind].append(OfflineChecker(rule, codes))
    return RuleSet(
        source=source,
        rules=tuple(spec.rules),
        thresholds={key: tuple(value) for key, value in thresholds.items()},
        events={key: tuple(value) for key, value in events.items()},
        offline={key: tuple(value) for key, value in offline.items()},
    )


def parse_rules(raw: Any, *, source: str) -> RuleFile:
    """Validate loaded YAML; `ConfigError` names the file, each bad rule's id and the field."""
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(error, raw) for error in exc.errors())
        raise ConfigError(f"{source}: {problems}") from None


def load_rules(path: Path) -> RuleSet:
    """Read, validate and compile a rules file; nothing of a bad file is used."""
    raw = read_yaml(path)
    return compile_rules(parse_rules(raw, source=str(path)), source=str(path))


def _describe(error: ErrorDetails, raw: Any) -> str:
    loc = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
        return f"{'.'.join(map(str, loc)) or '(top)'}: {message}"
    index = loc[1]
    entry = raw["rules"][index] if isinstance(raw, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    fields = loc[2:]
    if fields and fields[0] == entry.get("kind"):  # pydantic puts the matched kind in the path
        fields = fields[1:]
    where = ".".join(map(str, fields)) or "(rule)"
    return f"rule {entry.get('id', '?')!r} (#{index + 1}): {where}: {message}"
