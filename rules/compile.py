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


def _mark(root: yaml.Node | None, loc: list[int | str]) -> yaml.Mark | None:
    """Where the deepest node on the error's path that the YAML has starts (a field's key)."""
    node, found = root, None
    for step in loc:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        elif isinstance(node, yaml.MappingNode):
            pair = next((p for p in node.value if getattr(p[0], "value", None) == step), None)
            node, mark = (pair[1], pair[0].start_mark) if pair else (None, None)
        else:
            node = None
        if node is None:
            break
        found = mark
    return found


def _line(root: yaml.Node | None, loc: list[int | str]) -> str:
    """`line N: ` of the deepest node on the error's path that the YAML has."""
    mark = _mark(root, loc)
    return f"line {mark.line + 1}: " if mark is not None else ""


def _describe(error: ErrorDetails, raw: Any, root: yaml.Node | None) -> str:
    path, message = _located(error, raw)
    return f"{_line(root, path)}{message}"


def _located(error: ErrorDetails, raw: Any) -> tuple[list[int | str], str]:
    """The YAML path of a validation error and its message, naming the rule it is in."""
    loc = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
        return loc, f"{'.'.join(map(str, loc)) or '(top)'}: {message}"
    index = loc[1]
    entry = raw["rules"][index] if isinstance(raw, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    fields = loc[2:]
    if fields and fields[0] == entry.get("kind"):  # pydantic puts the matched kind in the path
        fields = fields[1:]
    where = ".".join(map(str, fields)) or "(rule)"
    return [
        "rules",
        index,
        *fields,
    ], f"rule {entry.get('id', '?')!r} (#{index + 1}): {where}: {message}"


@dataclass(frozen=True)
class Problem:
    """One mistake in a rules text, where it starts (1-based line and column)."""

    line: int
    column: int
    message: str


def check_text(text: str) -> tuple[RuleSet | None, list[Problem]]:
    """The compiled rules of a rules text, or None and every problem at its line and column
    (what an editor shows before the file is saved)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return None, [Problem(line, column, str(getattr(exc, "problem", None) or exc))]
    try:
        spec = RuleFile.model_validate(raw)
    except ValidationError as exc:
        return None, [_problem(error, raw, root) for error in exc.errors()]
    try:
        return compile_rules(spec), []
    except ConfigError as exc:
        return None, [Problem(1, 1, str(exc))]


def _problem(error: ErrorDetails, raw: Any, root: yaml.Node | None) -> Problem:
    path, message = _located(error, raw)
    mark = _mark(root, path)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(line, column, message)
