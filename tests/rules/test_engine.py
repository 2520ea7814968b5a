"""The engine on plain facts and a FakeClock: what fires, what clears, and when silence counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from hub.clock import FakeClock
from hub.domain import DeviceKind, Priority, Severity
from hub.settings import Settings
from rules.actions import AnyAction, ClearAlert, OpenWorkOrder, RaiseAlert
from rules.compile import RuleSet, load_rules
from rules.engine import Engine, evaluate_silence
from rules.facts import DeviceInfo, EventFact, Observation, Presence, ReadingFact, StatusChange

LEAK = DeviceInfo(
    7,
    1,
    "leak-b1-101",
    DeviceKind.LEAK_SENSOR,
    "厨房漏水传感器 Kitchen leak sensor",
    "1号楼101厨房 B1-101 kitchen",
    60,
    home_id=3,
)
PUMP = DeviceInfo(8, 1, "pump-1", DeviceKind.PUMP, "生活水泵 Domestic water pump", "地下泵房", 60)
GATE = DeviceInfo(9, 1, "gate-north", DeviceKind.GATE, "北门道闸", "北门 North entrance", 120)


@pytest.fixture
def rules() -> RuleSet:
    return load_rules(Settings().rules_file)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def evaluate(rules: RuleSet, observation: Observation) -> list[AnyAction]:
    """A fresh engine each time: what one message alone decides."""
    return Engine(rules).observe(observation, FakeClock().now())


def _reading(
    clock: FakeClock, reading_id: int, metric: str, value: str | None, text: str | None = None
) -> ReadingFact:
    return ReadingFact(
        reading_id, metric, clock.now(), None if value is None else Decimal(value), text
    )


def _on(device: DeviceInfo, *readings: ReadingFact) -> Observation:
    return Observation(device, readings=readings)


def test_a_wet_leak_sensor_opens_an_urgent_plumbing_order_and_a_critical_alert(
    rules: RuleSet, clock: FakeClock
) -> None:
    order, alert = evaluate(rules, _on(LEAK, _reading(clock, 42, "water_leak", "1")))
    assert isinstance(order, OpenWorkOrder) and isinstance(alert, RaiseAlert)
    assert (order.category, order.priority, order.home_id) == ("plumbing", Priority.URGENT, 3)
    assert order.title == "漏水 Water leak: 1号楼101厨房 B1-101 kitchen"
    assert (alert.severity, alert.title) == (Severity.CRITICAL, "漏水 Water leak")
    for action in (order, alert):
        assert action.reason == "water_leak = true (reading 42)"
        assert (action.rule_id, action.device_id, action.reading_id) == ("water-leak", 7, 42)
        assert action.dedup_key == "water-leak:7"


def test_a_dry_leak_sensor_clears_the_alert_but_not_the_order(
    rules: RuleSet, clock: FakeClock
) -> None:
    assert evaluate(rules, _on(LEAK, _reading(clock, 43, "water_leak", "0"))) == [
        ClearAlert("water-leak", 7, 43, "water_leak = false (reading 43)")
    ]


def test_pump_pressure_has_hysteresis(rules: RuleSet, clock: FakeClock) -> None:
    low = evaluate(rules, _on(PUMP, _reading(clock, 1, "pressure_bar", "1.2")))
    assert [type(a) for a in low] == [OpenWorkOrder, RaiseAlert]
    assert low[1].reason == "pressure_bar = 1.2 < 1.5 (reading 1)"
    assert isinstance(low[1], RaiseAlert) and low[1].severity is Severity.MAJOR
    assert isinstance(low[0], OpenWorkOrder) and low[0].priority is Priority.HIGH
    assert (
        evaluate(rules, _on(PUMP, _reading(clock, 2, "pressure_bar", "1.7"))) == []
    )  # in the band
    assert evaluate(rules, _on(PUMP, _reading(clock, 3, "pressure_bar", "2.5"))) == [
        ClearAlert("pump-pressure-low", 8, 3, "pressure_bar = 2.5 > 2 (reading 3)")
    ]


def test_readings_in_one_message_are_judged_in_time_order(rules: RuleSet, clock: FakeClock) -> None:
    wet = _reading(clock, 1, "water_leak", "1")
    clock.advance(timedelta(seconds=10))
    dry = _reading(clock, 2, "water_leak", "0")
    actions = evaluate(rules, _on(LEAK, dry, wet))
    assert [type(a) for a in actions] == [OpenWorkOrder, RaiseAlert, ClearAlert]


def test_other_metrics_kinds_and_text_do_not_match(rules: RuleSet, clock: FakeClock) -> None:
    assert evaluate(rules, _on(LEAK, _reading(clock, 1, "battery", "5"))) == []
    assert evaluate(rules, _on(PUMP, _reading(clock, 2, "water_leak", "1"))) == []
    assert evaluate(rules, _on(PUMP, _reading(clock, 3, "pressure_bar", None, "n/a"))) == []


def test_a_denied_swipe_raises_a_warning_and_a_granted_one_nothing(
    rules: RuleSet, clock: FakeClock
) -> None:
    denied = EventFact(5, "swipe", clock.now(), {"card": "C7", "granted": False})
    granted = EventFact(6, "swipe", clock.now(), {"card": "C8", "granted": True})
    (alert,) = evaluate(rules, Observation(GATE, events=(denied,)))
    assert isinstance(alert, RaiseAlert) and alert.severity is Severity.WARNING
    assert alert.reason == "swipe granted=False (event 5)"
    assert evaluate(rules, Observation(GATE, events=(granted,))) == []


def test_the_last_will_fires_offline_once_and_coming_back_clears(rules: RuleSet) -> None:
    will = Observation(GATE, status=StatusChange(online=False, was_online=True, reported=True))
    order, alert = evaluate(rules, will)
    assert isinstance(order, OpenWorkOrder) and isinstance(alert, RaiseAlert)
    assert (order.category, order.title) == ("device", "设备离线 Device offline: 北门道闸")
    assert (alert.severity, alert.dedup_key) == (Severity.MINOR, "device-offline:9")
    assert "last will" in alert.reason
    repeat = Observation(GATE, status=StatusChange(online=False, was_online=False, reported=True))
    assert evaluate(rules, repeat) == []
    back = Observation(GATE, status=StatusChange(online=True, was_online=False, reported=False))
    assert evaluate(rules, back) == [
        ClearAlert("device-offline", 9, None, "back online (messages arrive again)")
    ]
    first_contact = Observation(
        GATE, status=StatusChange(online=True, was_online=None, reported=False)
    )
    assert evaluate(rules, first_contact) == []


def test_silence_fires_once_when_the_limit_passes(rules: RuleSet, clock: FakeClock) -> None:
    watching = clock.now() - timedelta(hours=1)
    seen = clock.now()
    presence = [Presence(LEAK, seen, True)]

    def tick(after_s: float, now_s: float) -> list[object]:
        return list(
            evaluate_silence(
                rules,
                presence,
                watching_since=watching,
                after=seen + timedelta(seconds=after_s),
                now=seen + timedelta(seconds=now_s),
            )
        )

    assert tick(0, 179) == []
    fired = tick(179, 181)
    assert [type(a) for a in fired] == [OpenWorkOrder, RaiseAlert]
    assert isinstance(fired[1], RaiseAlert)
    assert fired[1].reason == "no message for 181 s, limit 180 s (heartbeat 60 s × 3)"
    assert tick(181, 3600) == []  # still silent: no second firing


def test_silence_counts_from_when_the_hub_started_listening(
    rules: RuleSet, clock: FakeClock
) -> None:
    start = clock.now()
    long_ago = start - timedelta(days=2)
    presences = [Presence(LEAK, long_ago, True), Presence(PUMP, None, None)]
    early = evaluate_silence(
        rules, presences, watching_since=start, after=start, now=start + timedelta(seconds=170)
    )
    assert early == []  # the hub was not listening two days ago: no instant flood
    fired = evaluate_silence(
        rules, presences, watching_since=start, after=start, now=start + timedelta(seconds=185)
    )
    alerts = [a for a in fired if isinstance(a, RaiseAlert)]
    assert {a.device_id for a in alerts} == {7, 8}
    reasons = {a.device_id: a.reason for a in alerts}
    assert "last seen" in reasons[7] and "never heard from" in reasons[8]
