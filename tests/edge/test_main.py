"""`python -m edge`: bad files and unreachable meters end with a message and an exit code;
`--once` only reads and prints."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.modbus.server import ModbusServer
from adapters.mqtt.broker import free_port
from edge.__main__ import main
from edge.config import SAMPLE_EDGE, parse_edge_config
from tests.adapters.mqtt_probe import MqttProbe
from tests.support.worker import publish

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_bad_file_is_refused_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(FIXTURES / "overlap.yaml")]) == 2
    err = capsys.readouterr().err
    assert "overlap.yaml: devices.em-b1-101: registers energy_kwh and power_kw overlap" in err


def test_once_reports_each_meter_that_does_not_answer(
    mqtt_url: str, topic_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code = main(
        ["--mqtt-url", mqtt_url, "--prefix", topic_prefix, "--modbus-port", str(port), "--once"]
    )
    out = capsys.readouterr().out
    assert code == 1
    for device in ("em-b1-101", "em-b1-102", "em-b2-201"):
        assert (
            f"{device}: FAILED: Modbus device {device}: nothing answers at 127.0.0.1:{port}" in out
        )


async def test_once_reads_and_prints_what_it_would_publish_but_publishes_nothing(
    mqtt_url: str, topic_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wiring check with a wrong register map once put a 1.27e11 kWh reading into history."""
    async with ModbusServer([1, 2, 3]) as meters, MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe:
        config = parse_edge_config(SAMPLE_EDGE)
        await meters.set_value(1, config.devices[0].registers[0], Decimal("1234.56"))
        argv = ["--mqtt-url", mqtt_url, "--prefix", topic_prefix, "--once"]
        argv += ["--modbus-host", meters.host, "--modbus-port", str(meters.port)]
        assert await asyncio.to_thread(main, argv) == 0
        marker = f"{topic_prefix}/marker"  # published after: once it is seen, so is all before
        await asyncio.to_thread(publish, mqtt_url, [(marker, "end", False)])
        await probe.wait_for(lambda seen: seen.topic == marker)
        assert [seen.topic for seen in probe.seen] == [marker]
    out = capsys.readouterr().out
    where = f"{topic_prefix}/green-garden/em-b1-101/telemetry"
    assert f"em-b1-101: would publish to {where}: " in out and '"energy_kwh":1234.56' in out
    assert out.count("would publish to") == 3
