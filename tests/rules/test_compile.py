"""The rules file: a bad file is refused whole, naming the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.domain import DeviceKind
from hub.errors import ConfigError
from hub.settings import Settings
from rules.compile import load_rules, metric
from rules.facts import DeviceInfo

GOOD = """
  - id: leak
    kind: threshold
    device_kind: leak_sensor
    metric: water_leak
    equals: true
    actions: {alert: {severity: critical, title: "漏水 Water leak"}}
"""


def _load(tmp_path: Path, rules_yaml: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:" + rules_yaml, encoding="utf-8")
    load_rules(path)


@pytest.mark.parametrize(
    ("bad_rule", "expected"),
    [
        (
            """
  - id: pressure
    kind: threshold
    metric: p
    above: 1
    below: 0
    actions: {alert: {severity: major, title: t}}""",
            "rule 'pressure' (#2): (rule): give exactly one of above, below, equals",
        ),
        (
            """
  - id: smoke
    kind: threshold
    metric: smoke
    equals: true
    actions: {alert: {severity: apocalyptic, title: t}}""",
            "rule 'smoke' (#2): actions.alert.severity: Input should be 'critical'",
        ),
        (
            """
  - id: pump
    kind: threshold
    metric: p
    below: 1
    actions: {work_order: {category: plumbing, title: "for {owner}"}}""",
            "rule 'pump' (#2): actions.work_order.title: unknown placeholder {owner}",
        ),
        (
            """
  - id: hot
    kind: threshold
    metric: t
    above: 80
    clear_below: 90
    actions: {alert: {severity: minor, title: t}}""",
            "rule 'hot' (#2): (rule): clear_below must not exceed above",
        ),
        (
            """
  - id: quiet
    kind: offline
    factor: 0
    actions: {alert: {severity: minor, title: t}}""",
            "rule 'quiet' (#2): factor: Input should be greater than 0",
        ),
        (
            """
  - id: nothing
    kind: offline
    actions: {}""",
            "rule 'nothing' (#2): actions: give at least one of work_order, alert",
        ),
        (
            """
  - id: gate
    kind: event
    event: swipe
    device_kind: turnstile
    actions: {alert: {severity: warning, title: t}}""",
            "rule 'gate' (#2): device_kind",
        ),
        (
            """
  - id: magic
    kind: wish
    actions: {alert: {severity: warning, title: t}}""",
            "rule 'magic' (#2): (rule): Input tag 'wish' found using 'kind' does not match",
        ),
        (
            """
  - id: leak
    kind: offline
    actions: {alert: {severity: minor, title: t}}""",
            "duplicate rule id 'leak'",
        ),
        (
            """
  - id: typo
    kind: offline
    facter: 2
    actions: {alert: {severity: minor, title: t}}""",
            "rule 'typo' (#2): facter: Extra inputs are not permitted",
        ),
    ],
)
def test_a_bad_rule_refuses_the_whole_file_naming_file_rule_and_field(
    tmp_path: Path, bad_rule: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, GOOD + bad_rule)
    message = str(refused.value)
    assert message.startswith(str(tmp_path / "rules.yaml") + ": ")
    assert expected in message


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rules\.yaml"):
        _load(tmp_path, "\n  - id: [unclosed")
    with pytest.raises(ConfigError, match=r"missing\.yaml"):
        load_rules(tmp_path / "missing.yaml")


def test_the_default_rules_load_and_index_by_device_kind() -> None:
    rules = load_rules(Settings().rules_file)
    leak = DeviceInfo(1, 1, "leak-b1-101", DeviceKind.LEAK_SENSOR)
    meter = DeviceInfo(2, 1, "em-b1-101", DeviceKind.ELECTRICITY_METER)
    assert [c.rule.id for c in rules.find(leak, metric("water_leak"))] == ["water-leak"]
    assert rules.find(meter, metric("water_leak")) == ()
    assert rules.find(leak, metric("battery")) == ()
    assert [c.rule.id for c in rules.offline_for(meter)] == ["device-offline"]
    assert rules.offline_kinds == frozenset(DeviceKind)


def test_a_device_list_narrows_a_rule(tmp_path: Path) -> None:
    narrowed = GOOD.replace("device_kind: leak_sensor", "device_kind: [leak_sensor]")
    path = tmp_path / "rules.yaml"
    path.write_text("rules:" + narrowed + "    devices: [leak-a]\n", encoding="utf-8")
    rules = load_rules(path)
    chosen = DeviceInfo(1, 1, "leak-a", DeviceKind.LEAK_SENSOR)
    other = DeviceInfo(2, 1, "leak-b", DeviceKind.LEAK_SENSOR)
    assert len(rules.find(chosen, metric("water_leak"))) == 1
    assert rules.find(other, metric("water_leak")) == ()


def test_the_message_names_the_line_of_the_bad_field(tmp_path: Path) -> None:
    bad = """
  - id: quiet
    kind: offline
    factor: 0
    actions: {alert: {severity: minor, title: t}}"""
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, GOOD + bad)
    assert "line 11: rule 'quiet' (#2): factor: Input should be greater than 0" in str(
        refused.value
    )


def test_new_kinds_are_checked_whole(tmp_path: Path) -> None:
    bad = """
  - id: flow
    kind: rate
    metric: water_m3
    rises_by: 1
    actions: {alert: {severity: minor, title: t}}"""
    with pytest.raises(ConfigError, match="window_s goes with rises_by, and rises_by needs it"):
        _load(tmp_path, GOOD + bad)
