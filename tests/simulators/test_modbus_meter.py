"""The simulated electricity meters: totals that grow like a home's, readable over Modbus."""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.modbus.client import ModbusConnection
from adapters.modbus.register_map import DeviceMap
from hub.clock import FakeClock
from simulators.fleet_file import SAMPLE_FLEET, parse_fleet
from simulators.household import Consumption, daily_factor
from simulators.modbus_meter import MeterSimulator, main

SHANGHAI_3AM = datetime(2026, 11, 9, 19, 0, tzinfo=UTC)
SHANGHAI_8PM = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def test_a_home_uses_more_in_the_evening_than_at_night() -> None:
    night = Consumption(Decimal(100), 0.5, places=2, rng=random.Random(1))
    evening = Consumption(Decimal(100), 0.5, places=2, rng=random.Random(1))
    for _ in range(60):
        night.advance(SHANGHAI_3AM, 60)
        evening.advance(SHANGHAI_8PM, 60)
    assert Decimal(100) < night.value < evening.value < Decimal(102)
    profile = [daily_factor(hour / 4) for hour in range(96)]
    assert 0.85 < sum(profile) / len(profile) < 1.15


def test_the_total_never_goes_back() -> None:
    total = Consumption(Decimal("1520.40"), 0.45, places=2, rng=random.Random(7))
    readings = [total.advance(SHANGHAI_8PM, 30) for _ in range(500)]
    assert readings == sorted(readings)
    assert all(r == r.quantize(Decimal("0.01")) for r in readings)


async def test_every_register_format_reads_back_what_the_meter_shows() -> None:
    spec = parse_fleet(SAMPLE_FLEET)
    clock = FakeClock(SHANGHAI_8PM)
    simulator = MeterSimulator(spec.modbus_meters, port=0, clock=clock, seed=3)
    await simulator.start()
    connection = ModbusConnection(simulator.server.host, simulator.port)
    try:
        for _ in range(3):
            clock.advance(timedelta(hours=1))
            await simulator.advance(3600)
            shown = simulator.readings()
            read = {
                meter.device: (
                    await connection.read_device(
                        DeviceMap(
                            device=meter.device,
                            port=simulator.port,
                            unit=meter.unit,
                            registers=[meter.energy],
                        )
                    )
                )["energy_kwh"]
                for meter in spec.modbus_meters
            }
            assert read == shown
        assert all(shown[m.device] > m.start_kwh for m in spec.modbus_meters)
    finally:
        connection.close()
        await simulator.stop()


def test_main_serves_until_the_duration_ends() -> None:
    assert main(["--port", "0", "--duration", "0.3", "--speedup", "60"]) == 0


def test_main_refuses_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port), "--duration", "0.3"]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
