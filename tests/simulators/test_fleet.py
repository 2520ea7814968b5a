"""The sample fleet and the sample edge gateway in one event loop, as `hub demo` runs them."""

from __future__ import annotations

import asyncio
import signal
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from edge.config import SAMPLE_EDGE, parse_edge_config
from edge.gateway import EdgeGateway
from simulators.__main__ import main
from simulators.fleet import Fleet
from simulators.fleet_file import SAMPLE_FLEET, parse_fleet
from tests.adapters.mqtt_probe import MqttProbe, Seen

SITE = "green-garden"


async def test_sample_fleet_and_gateway_publish_every_device(
    mqtt_url: str, topic_prefix: str
) -> None:
    spec = parse_fleet(SAMPLE_FLEET)
    fleet = Fleet(spec, mqtt_url, topic_prefix, modbus_port=0)
    stop = asyncio.Event()
    async with MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe:
        fleet_task = asyncio.create_task(fleet.run(stop))
        await asyncio.wait_for(fleet.ready.wait(), 5)
        config = parse_edge_config(SAMPLE_EDGE).retarget(
            mqtt_url=mqtt_url, prefix=topic_prefix, modbus_port=fleet.modbus_port
        )
        gateway_task = asyncio.create_task(EdgeGateway(config).run(stop))

        async def first(device: str, channel: str) -> Seen:
            topic = f"{topic_prefix}/{SITE}/{device}/{channel}"
            return await probe.wait_for(lambda s: s.topic == topic, within_s=15)

        meters = {m.device: m for m in spec.modbus_meters}
        for code, meter in meters.items():
            values = (await first(code, "telemetry")).json()["values"]
            assert meter.start_kwh <= Decimal(str(values["energy_kwh"])) < meter.start_kwh + 1
        for device in spec.mqtt_devices:
            channel = "event" if device.kind in ("gate", "checkpoint_reader") else "telemetry"
            await first(device.device, channel)
            assert (await first(device.device, "status")).text == "online"

        stop.set()
        await asyncio.wait_for(asyncio.gather(fleet_task, gateway_task), 10)

    every = [*meters, *(d.device for d in spec.mqtt_devices)]
    retained = await _retained_statuses(mqtt_url, topic_prefix, len(every))
    assert retained == dict.fromkeys(every, "offline")


async def _retained_statuses(mqtt_url: str, prefix: str, count: int) -> dict[str, str]:
    async with MqttProbe(mqtt_url, f"{prefix}/+/+/status") as late:
        await late.wait_for(lambda _: len(late.seen) >= count, within_s=15)
    return {seen.topic.split("/")[2]: seen.text for seen in late.seen if seen.retain}


async def test_cli_runs_until_sigterm_then_every_device_says_offline(
    mqtt_url: str, topic_prefix: str
) -> None:
    devices = {d.device for d in parse_fleet(SAMPLE_FLEET).mqtt_devices}
    async with MqttProbe(mqtt_url, f"{topic_prefix}/+/+/status") as probe:

        def last_status() -> dict[str, str]:
            return {seen.topic.split("/")[2]: seen.text for seen in probe.seen}

        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulators",
            "--mqtt-url",
            mqtt_url,
            "--prefix",
            topic_prefix,
            "--modbus-port",
            "0",
            cwd=Path(__file__).parents[2],
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await probe.wait_for(lambda _: last_status() == dict.fromkeys(devices, "online"), 20)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 15)
        await probe.wait_for(lambda _: last_status() == dict.fromkeys(devices, "offline"))
    assert process.returncode == 0, stderr.decode()


def test_cli_refuses_a_bad_broker_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--mqtt-url", "http://nowhere", "--duration", "0.1"]) == 2
    assert "MQTT URL 'http://nowhere' is not mqtt://host:port" in capsys.readouterr().err
