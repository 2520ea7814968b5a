"""Rules file -> checkers, once at load, indexed by device kind, topic and scope.

A message then only meets the checkers that can match it (its device kind, its metric or event
kind, its device code, building or location), so evaluation cost grows with the matching rules,
not with the size of the file. `scan` is the unindexed path, kept for the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from hub.config_files import read_yaml
from hub.domain import DeviceKind
from hub.errors import ConfigError
from rules.checkers import (
    Checker,
    CompositeChecker,
    DurationChecker,
    EventChecker,
    OfflineChecker,
    RateChecker,
    RepeatingChecker,
    ThresholdChecker,
)
from rules.facts import DeviceInfo
from rules.model import (
    CompositeRule,
    DurationRule,
    EventRule,
    OfflineRule,
    RateRule,
    RepeatingRule,
    Rule,
    RuleFile,
    ThresholdRule,
)

Topic = tuple[str, str]  # ("metric", name) | ("event", kind) | ("offline", "")
OFFLINE: Topic = ("offline", "")
_ANY = ("*", "")


def metric(name: str) -> Topic:
    return ("metric", name)


def event(kind: str) -> Topic:
    return ("event", kind)


@dataclass(frozen=True)
class RuleSet:
    source: str
    rules: tuple[Rule, ...]
    checkers: tuple[tuple[Checker, frozenset[DeviceKind], Topic], ...]
    buckets: Mapping[tuple[DeviceKind, Topic, tuple[str, str]], tuple[Checker, ...]]
    _cache: dict[tuple[object, ...], tuple[Checker, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def find(self, device: DeviceInfo, topic: Topic) -> tuple[Checker, ...]:
        """The checkers for this device and topic, in file order (cached per device shape)."""
        key = (device.kind, device.code, device.building, device.location, topic)
        found = self._cache.get(key)
        if found is None:
            own = (("device", device.code), ("building", device.building))
            scopes = (_ANY, *own, ("location", device.location))
            candidates = {
                checker.order: checker
                for scope in scopes
                for checker in self.buckets.get((device.kind, topic, scope), ())
                if checker.applies_to(device)
            }
            found = self._cache[key] = tuple(candidates[o] for o in sorted(candidates))
        return found

    def scan(self, device: DeviceInfo, topic: Topic) -> tuple[Checker, ...]:
        """The same answer as `find`, by looking at every rule: the benchmark's baseline."""
        return tuple(
            checker
            for checker, kinds, wanted in self.checkers
            if wanted == topic and device.kind in kinds and checker.applies_to(device)
        )

    def offline_for(self, device: DeviceInfo) -> list[OfflineChecker]:
        return [c for c in self.find(device, OFFLINE) if isinstance(c, OfflineChecker)]

    def shortest_silence(self, heartbeat_s: int) -> float:
        """Seconds: the least silence any offline rule allows a device with this heartbeat. The
        silence timer need not look at a device heard from more recently than that."""
        limits = [
            c.limit_s(heartbeat_s) for c, _, _ in self.checkers if isinstance(c, OfflineChecker)
        ]
        return min(limits, default=float("inf"))

    @property
    def offline_kinds(self) -> frozenset[DeviceKind]:
        return frozenset(
            kind for c, kinds, _ in self.checkers if c.rule.kind == "offline" for kind in kinds
        )


def _checker(rule: Rule, order: int) -> Iterator[tuple[Checker, frozenset[DeviceKind], Topic]]:
    """The rule's checker with each (device kinds, topic) it listens to."""
    kinds = frozenset(rule.kinds)
    if isinstance(rule, ThresholdRule):
        yield ThresholdChecker(rule, order), kinds, metric(rule.metric)
    elif isinstance(rule, DurationRule):
        yield DurationChecker(rule, order), kinds, metric(rule.metric)
    elif isinstance(rule, RateRule):
        yield RateChecker(rule, order), kinds, metric(rule.metric)
    elif isinstance(rule, RepeatingRule):
        repeating = RepeatingChecker(rule, order)
        if rule.condition is not None:
            yield repeating, kinds, metric(rule.condition.metric)
        else:
            assert rule.event is not None
            yield repeating, kinds, event(rule.event)
    elif isinstance(rule, EventRule):
        yield EventChecker(rule, order), kinds, event(rule.event)
    elif isinstance(rule, OfflineRule):
        yield OfflineChecker(rule, order), kinds, OFFLINE
    else:
        assert isinstance(rule, CompositeRule)
        composite = CompositeChecker(rule, order)
        for condition in rule.conditions:
            wanted = kinds if condition.device_kind is None else kinds & {condition.device_kind}
            yield composite, frozenset(wanted), metric(condition.metric)


def _scopes(rule: Rule) -> list[tuple[str, str]]:
    """The narrowest scope a rule names: its bucket keys (other scopes filter afterwards)."""
    if rule.devices is not None:
        return [("device", code) for code in rule.devices]
    if rule.buildings is not None:
        return [("building", code) for code in rule.buildings]
    if rule.locations is not None:
        return [("location", where) for where in rule.locations]
    return [_ANY]


def compile_rules(spec: RuleFile, *, source: str = "<rules>") -> RuleSet:
    """Index every rule under each device kind, topic and scope it selects."""
    checkers = [entry for order, rule in enumerate(spec.rules) for entry in _checker(rule, order)]
    buckets: dict[tuple[DeviceKind, Topic, tuple[str, str]], list[Checker]] = defaultdict(list)
    for checker, kinds, topic in checkers:
        for kind in kinds:
            for scope in _scopes(checker.rule):
                buckets[(kind, topic, scope)].append(checker)
    return RuleSet(
        source=source,
        rules=tuple(spec.rules),
        checkers=tuple(checkers),
        buckets={key: tuple(value) for key, value in buckets.items()},
    )


def parse_rules(raw: Any, *, source: str, text: str | None = None) -> RuleFile:
    """Validate loaded YAML; `ConfigError` names the file, line, each bad rule's id and field."""
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        root = _compose(text)
        problems = "; ".join(_describe(error, raw, root) for error in exc.errors())
        raise ConfigError(f"{source}: {problems}") from None


def load_rules(path: Path) -> RuleSet:
    """Read, validate and compile a rules file; nothing of a bad file is used."""
    raw = read_yaml(path)
    text = path.read_text(encoding="utf-8")
    return compile_rules(parse_rules(raw, source=str(path), text=text), source=str(path))


def _compose(text: str | None) -> yaml.Node | None:
    if text is None:
        return None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _line(root: yaml.Node | None, loc: list[int | str]) -> str:
    """`line N: ` of the deepest node on the error's path that the YAML has."""
    node, found = root, None
    for step in loc:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        else:
            node = None
        if node is None:
            break
        found = node
    return f"line {found.start_mark.line + 1}: " if found is not None else ""


def _describe(error: ErrorDetails, raw: Any, root: yaml.Node | None) -> str:
    loc = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
        return f"{_line(root, loc)}{'.'.join(map(str, loc)) or '(top)'}: {message}"
    index = loc[1]
    entry = raw["rules"][index] if isinstance(raw, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    fields = loc[2:]
    if fields and fields[0] == entry.get("kind"):  # pydantic puts the matched kind in the path
        fields = fields[1:]
    where = ".".join(map(str, fields)) or "(rule)"
    line = _line(root, ["rules", index, *fields])
    return f"{line}rule {entry.get('id', '?')!r} (#{index + 1}): {where}: {message}"
