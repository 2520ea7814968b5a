"""What each simulated MQTT device says, and how faults change it (no broker needed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import TypeAdapter

from simulators.fleet_file import DeviceSpec
from simulators.mqtt_devices import Event, SimulatedDevice, Telemetry, build_device

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai, the evening peak


def device(**spec: object) -> SimulatedDevice:
    parsed = TypeAdapter(DeviceSpec).validate_python(spec)
    return build_device(parsed, random.Random(5), timezone="Asia/Shanghai")


def test_leak_sensor_heartbeats_dry_and_repeats_a_leak_faster() -> None:
    sensor = device(device="leak-b1-101", kind="leak_sensor", interval_s=30, alarm_repeat_s=5)
    assert sensor.messages(NOW, 30) == [Telemetry({"water_leak": False}, stamped=False)]
    assert sensor.period_s() == 30
    sensor.leaking = True  # type: ignore[attr-defined]
    assert sensor.messages(NOW, 5) == [Telemetry({"water_leak": True}, stamped=False)]
    assert sensor.period_s() == 5


def test_water_meter_total_rises_with_time() -> None:
    meter = device(device="wm-b1-101", kind="water_meter", start_m3="312.400", mean_m3_per_day=0.35)
    readings = [
        value
        for m in (meter.messages(NOW, 3600)[0] for _ in range(4))
        if isinstance(m, Telemetry) and isinstance(value := m.values["water_m3"], Decimal)
    ]
    assert len(readings) == 4
    assert Decimal("312.400") < readings[0] < readings[-1] < Decimal("312.600")
    assert readings == sorted(readings)


def test_checkpoint_reader_scans_and_a_missed_scan_is_skipped_once() -> None:
    reader = device(
        device="cpr-north", kind="checkpoint_reader", checkpoint="CP-NORTH-GATE", guard="guard"
    )
    scan = Event("scan", {"checkpoint": "CP-NORTH-GATE", "guard": "guard"})
    assert reader.messages(NOW, 120) == [scan]
    reader.skip_scans += 1  # type: ignore[attr-defined]
    assert reader.messages(NOW, 120) == []
    assert reader.messages(NOW, 120) == [scan]


def test_gate_grants_known_cards_and_refuses_unknown_ones() -> None:
    gate = device(device="gate-north", kind="gate", cards=["C-0101"], denied_share=0.5)
    swipes = [m for _ in range(200) for m in gate.messages(NOW, 20)]
    assert all(isinstance(s, Event) and s.kind == "swipe" for s in swipes)
    data = [s.data for s in swipes if isinstance(s, Event)]
    assert {d["granted"] for d in data} == {True, False}
    assert all(d["granted"] == (d["card"] == "C-0101") for d in data)


def test_pump_and_smoke_sensor_report_their_values() -> None:
    pump = device(device="pump-1", kind="pump", pressure_bar=3.2).messages(NOW, 15)[0]
    smoke = device(device="smoke-b2-hall", kind="smoke_sensor").messages(NOW, 30)[0]
    assert isinstance(pump, Telemetry) and isinstance(smoke, Telemetry)
    assert 2.9 < float(pump.values["pressure_bar"]) < 3.5 and pump.values["running"] is True
    assert smoke.values == {"smoke": False, "battery_pct": 97}
