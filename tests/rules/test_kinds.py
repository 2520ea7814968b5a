"""Each rule kind on plain facts: duration, repeating, rate, composite, schedule and scope."""

from __future__ import annotations

import json
from dataclasses import replace

from hub.domain import DeviceKind
from rules.actions import Notify, RaiseAlert, SendCommand
from rules.engine import Engine
from rules.facts import DeviceInfo, Observation, StatusChange
from tests.rules.helpers import (
    FIRE,
    GATE,
    HEAT,
    HEAT_ELSEWHERE,
    METER,
    PUMP,
    SMOKE,
    at,
    cleared,
    raised,
    reading,
    ruleset,
    swipe,
)

LOW_PRESSURE = {
    "id": "pressure-low-2min",
    "kind": "duration",
    "device_kind": "pump",
    "metric": "pressure_bar",
    "below": 1.5,
    "for_s": 120,
}


def test_duration_fires_on_time_by_the_timer_without_another_message() -> None:
    engine = Engine(ruleset(LOW_PRESSURE))
    assert engine.observe(reading(PUMP, "pressure_bar", "1.2", 0), at(0)) == []
    assert engine.tick(at(119)) == []
    (alert,) = raised(engine.tick(at(120)))
    assert alert.reason.startswith("pressure_bar = 1.2 < 1.5 for 120 s (since 2026-01-01 00:00:00")
    assert engine.tick(at(500)) == []  # once
    (clear,) = engine.observe(reading(PUMP, "pressure_bar", "3.1", 600), at(600))
    assert clear.dedup_key == "pressure-low-2min:8"


def test_duration_that_breaks_never_fires_and_restarts_its_timer() -> None:
    engine = Engine(ruleset(LOW_PRESSURE))
    engine.observe(reading(PUMP, "pressure_bar", "1.2", 0), at(0))
    engine.observe(reading(PUMP, "pressure_bar", "2.2", 60), at(60))
    engine.observe(reading(PUMP, "pressure_bar", "1.0", 90), at(90))
    assert engine.tick(at(200)) == []
    assert len(raised(engine.tick(at(210)))) == 1


def test_a_restart_mid_duration_resumes_the_timer_and_fires_once() -> None:
    rules = ruleset(LOW_PRESSURE)
    before = Engine(rules)
    before.observe(reading(PUMP, "pressure_bar", "1.2", 0), at(0))
    saved = json.loads(json.dumps(before.snapshot()))  # what the database keeps
    after = Engine(rules, saved)
    assert after.tick(at(60)) == []
    (alert,) = raised(after.tick(at(121)))
    assert alert.title == "pressure-low-2min pump-1"  # the device is named from the snapshot
    again = Engine(rules, json.loads(json.dumps(after.snapshot())))
    assert again.tick(at(1000)) == []  # a second restart does not fire it again


def test_door_held_open_is_a_duration_on_a_boolean() -> None:
    door = DeviceInfo(20, 1, "gate-east", DeviceKind.GATE, "东门", "East", 60)
    held = {"id": "door-held", "kind": "duration", "metric": "door_open", "equals": True}
    engine = Engine(ruleset({**held, "for_s": 120}))
    engine.observe(reading(door, "door_open", 1, 0), at(0))
    (alert,) = raised(engine.tick(at(120)))
    assert alert.reason.startswith("door_open = true for 120 s")


def test_three_denied_swipes_within_a_minute_fire_once() -> None:
    rule = {"id": "swipes", "kind": "repeating", "event": "swipe", "where": {"granted": False}}
    engine = Engine(ruleset({**rule, "count": 3, "window_s": 60}))
    assert engine.observe(swipe(0, False), at(0)) == []
    assert engine.observe(swipe(10, True), at(10)) == []
    assert engine.observe(swipe(30, False), at(30)) == []
    assert engine.observe(swipe(70, False), at(70)) == []  # the first fell out of the window
    (alert,) = raised(engine.observe(swipe(80, False, event_id=44), at(80)))
    assert alert.reason == "3 × swipe granted=False within 50 s (limit 60 s) (latest event 44)"
    assert engine.observe(swipe(81, False), at(81)) == []  # counting starts afresh


def test_continuous_flow_for_two_hours_is_a_suspected_leak_and_a_pause_clears_it() -> None:
    rule = {"id": "leak-flow", "kind": "rate", "metric": "water_m3", "rising_for_s": 7200}
    engine = Engine(ruleset(rule))
    fired = []
    for minute in range(0, 125, 5):
        value = f"{100 + minute * 0.01:.2f}"
        fired += raised(engine.observe(reading(METER, "water_m3", value, minute * 60), at(0)))
    (alert,) = fired
    assert alert.reason.startswith("water_m3 rose at every reading for 7200 s")
    (clear,) = cleared(engine.observe(reading(METER, "water_m3", "101.20", 7600), at(0)))
    assert "did not rise" in clear.reason


def test_a_meter_going_backwards_is_a_meter_fault() -> None:
    rule = {"id": "meter-backwards", "kind": "rate", "metric": "energy_kwh", "falls_by": 0}
    engine = Engine(ruleset(rule))
    assert engine.observe(reading(METER, "energy_kwh", "500.0", 0), at(0)) == []
    assert engine.observe(reading(METER, "energy_kwh", "500.5", 60), at(60)) == []
    (alert,) = raised(engine.observe(reading(METER, "energy_kwh", "12.0", 120), at(120)))
    assert alert.reason == "energy_kwh fell from 500.5 to 12"
    assert engine.observe(reading(METER, "energy_kwh", "12.5", 180), at(180)) == []


def test_consumption_over_a_window() -> None:
    rule = {"id": "burst", "kind": "rate", "metric": "water_m3", "rises_by": 0.5, "window_s": 3600}
    engine = Engine(ruleset(rule))
    engine.observe(reading(METER, "water_m3", "10.0", 0), at(0))
    assert engine.observe(reading(METER, "water_m3", "10.4", 1800), at(0)) == []
    (alert,) = raised(engine.observe(reading(METER, "water_m3", "10.7", 3000), at(0)))
    assert alert.reason.startswith("water_m3 rose by 0.7 in 3000 s")
    assert cleared(engine.observe(reading(METER, "water_m3", "10.8", 7000), at(0)))


def test_smoke_and_heat_in_the_same_corridor_is_a_fire() -> None:
    engine = Engine(ruleset(FIRE))
    assert engine.observe(reading(HEAT_ELSEWHERE, "temperature_c", 80, 0), at(0)) == []
    assert engine.observe(reading(SMOKE, "smoke", 1, 1), at(1)) == []  # heat is elsewhere
    (alert,) = raised(engine.observe(reading(HEAT, "temperature_c", "61.5", 2), at(2)))
    assert alert.reason == "smoke = true and temperature_c > 57 at B2 corridor"
    assert engine.observe(reading(HEAT, "temperature_c", 62, 3), at(3)) == []  # one incident
    (clear,) = engine.observe(reading(SMOKE, "smoke", 0, 4), at(4))
    assert clear.dedup_key == "fire:12"  # the alert it raised


def test_the_same_location_name_in_two_estates_is_two_places() -> None:
    engine = Engine(ruleset(FIRE))
    other_estate = replace(HEAT, id=30, site_id=2)  # its own "B2 corridor"
    assert engine.observe(reading(SMOKE, "smoke", 1, 0), at(0)) == []
    assert engine.observe(reading(other_estate, "temperature_c", 80, 1), at(1)) == []
    assert len(raised(engine.observe(reading(HEAT, "temperature_c", 80, 2), at(2)))) == 1


def test_a_schedule_arms_a_rule_at_night_in_the_site_timezone() -> None:
    night = {"start": "22:00", "end": "06:00"}
    rule = {"id": "gate-night", "kind": "event", "event": "swipe", "schedule": night}
    engine = Engine(ruleset(rule))
    assert engine.observe(swipe(0, True), at(0)) == []  # 08:00 in Shanghai
    late = 15 * 3600  # 23:00 in Shanghai
    assert len(raised(engine.observe(swipe(late, True), at(late)))) == 1
    in_utc = replace(swipe(0, True), device=replace(GATE, timezone="UTC"))
    assert Engine(ruleset(rule)).observe(in_utc, at(0)) != []  # 00:00 is night in UTC


def test_scopes_select_by_building_location_and_device_list() -> None:
    base = {"kind": "threshold", "metric": "water_m3", "above": 1}
    rules = ruleset(
        {**base, "id": "in-b1", "buildings": ["B1"]},
        {**base, "id": "in-b2", "buildings": ["B2"]},
        {**base, "id": "at-b1", "locations": ["B1"]},
        {**base, "id": "listed", "devices": ["wm-b1-101"]},
        {**base, "id": "pumps-only", "device_kind": "pump"},
    )
    actions = Engine(rules).observe(reading(METER, "water_m3", 5, 0), at(0))
    assert [a.rule_id for a in raised(actions)] == ["in-b1", "at-b1", "listed"]
    assert [c.rule.id for c in rules.scan(METER, ("metric", "water_m3"))] == [
        "in-b1",
        "at-b1",
        "listed",
    ]


def test_offline_may_use_a_fixed_timeout_per_device_kind() -> None:
    rule = {"id": "gate-offline", "kind": "offline", "device_kind": "gate", "timeout_s": 30}
    rules = ruleset(rule)
    (checker,) = rules.offline_for(GATE)
    assert checker.silence_limit(GATE).total_seconds() == 30
    assert rules.offline_for(PUMP) == []
    will = StatusChange(online=False, was_online=True, reported=True)
    (alert,) = Engine(rules).observe(Observation(GATE, status=will), at(0))
    assert isinstance(alert, RaiseAlert) and "last will" in alert.reason


def test_a_reload_that_changes_a_rules_kind_starts_it_afresh() -> None:
    threshold = {"id": "p", "kind": "threshold", "metric": "pressure_bar", "below": 1.5}
    engine = Engine(ruleset(threshold))
    engine.observe(reading(PUMP, "pressure_bar", "1.2", 0), at(0))
    engine.take_changes()
    engine.use(ruleset({**threshold, "kind": "duration", "for_s": 60}))
    assert engine.take_changes() == {("p", "8"): None}  # the old state is dropped
    assert engine.observe(reading(PUMP, "pressure_bar", "1.2", 10), at(10)) == []
    assert len(raised(engine.tick(at(70)))) == 1


def test_notify_and_command_go_out_once_per_firing_not_on_repeats() -> None:
    actions = {
        "notify": {
            "title": "停水 Water off: {location}",
            "building_owners": True,
            "roles": ["technician"],
        },
        "command": {"command": "close_valve", "params": {"valve": 1}, "timeout_s": 20},
    }
    rule = {"id": "shut-off", "kind": "threshold", "metric": "water_m3", "above": 1}
    engine = Engine(ruleset({**rule, "actions": actions}))
    first = engine.observe(reading(METER, "water_m3", 5, 0), at(0))
    notify, command = first
    assert isinstance(notify, Notify) and isinstance(command, SendCommand)
    assert (notify.title, notify.building_owners, notify.roles) == (
        "停水 Water off: B1",
        "B1",
        ("technician",),
    )
    assert (command.command, command.params, command.timeout_s) == (
        "close_valve",
        (("valve", 1),),
        20,
    )
    assert engine.observe(reading(METER, "water_m3", 6, 10), at(10)) == []  # a repeat
