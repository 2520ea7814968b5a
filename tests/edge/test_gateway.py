"""The gateway polling real Modbus servers and publishing to a real broker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from adapters.modbus.register_map import DeviceMap
from adapters.modbus.server import ModbusServer
from adapters.mqtt.broker import free_port
from edge.config import SAMPLE_EDGE, EdgeConfig, parse_edge_config
from edge.gateway import EdgeGateway
from hub.clock import FakeClock
from tests.adapters.mqtt_probe import LogWatch, MqttProbe, Seen

SITE = "green-garden"


@pytest.fixture
async def meters() -> AsyncIterator[ModbusServer]:
    """The sample's three meters (units 1-3) on one server, as the simulator serves them."""
    async with ModbusServer([1, 2, 3]) as server:
        yield server


def sample(mqtt_url: str, prefix: str, server: ModbusServer) -> EdgeConfig:
    return parse_edge_config(SAMPLE_EDGE).retarget(
        mqtt_url=mqtt_url, prefix=prefix, modbus_host=server.host, modbus_port=server.port
    )


def topic_is(topic: str) -> Callable[[Seen], bool]:
    return lambda seen: seen.topic == topic


async def set_energy(server: ModbusServer, device: DeviceMap, kwh: str) -> None:
    await server.set_value(device.unit, device.registers[0], Decimal(kwh))


async def test_each_poll_arrives_as_telemetry_with_the_poll_time(
    mqtt_url: str, topic_prefix: str, meters: ModbusServer, clock: FakeClock
) -> None:
    config = sample(mqtt_url, topic_prefix, meters)
    for device, kwh in zip(config.devices, ["1234.56", "20480.37", "88.25"], strict=True):
        await set_energy(meters, device, kwh)
    poll_ms = round(clock.now().timestamp() * 1000)

    async with (
        MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe,
        EdgeGateway(config, clock=clock) as gateway,
    ):
        polls = await gateway.poll_once()
        received = {
            code: (await probe.wait_for(topic_is(f"{topic_prefix}/{SITE}/{code}/telemetry"))).json()
            for code in ("em-b1-101", "em-b1-102", "em-b2-201")
        }

    assert [p.error for p in polls] == [None, None, None]
    assert received == {
        "em-b1-101": {"ts": poll_ms, "values": {"energy_kwh": 1234.56}},
        "em-b1-102": {"ts": poll_ms, "values": {"energy_kwh": 20480.37}},
        "em-b2-201": {"ts": poll_ms, "values": {"energy_kwh": 88.25}},
    }


async def test_a_meter_that_is_down_is_reported_and_the_others_still_publish(
    mqtt_url: str, topic_prefix: str, meters: ModbusServer, caplog: pytest.LogCaptureFixture
) -> None:
    down = ModbusServer([1])
    await down.start()
    await down.stop()  # a port that nothing listens on any more
    config = sample(mqtt_url, topic_prefix, meters)
    lost = config.devices[1].model_copy(update={"port": down.port, "unit": 1})
    config = config.model_copy(update={"devices": [config.devices[0], lost, config.devices[2]]})
    await set_energy(meters, config.devices[0], "10.5")
    base = f"{topic_prefix}/{SITE}/em-b1-102"
    caplog.set_level(logging.WARNING, logger="edge.gateway")

    async with MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe, EdgeGateway(config) as gateway:
        polls = await gateway.poll_once()
        await probe.wait_for(lambda s: s.topic == f"{base}/status" and s.text == "offline")
        await probe.wait_for(lambda s: s.topic.endswith("em-b2-201/telemetry"))
        first = await probe.wait_for(lambda s: s.topic.endswith("em-b1-101/telemetry"))

        async with ModbusServer([1], port=down.port) as back:
            await back.set_value(1, lost.registers[0], Decimal("77.01"))
            await gateway.poll_once()
            recovered = await probe.wait_for(lambda s: s.topic == f"{base}/telemetry")
            await probe.wait_for(lambda s: s.topic == f"{base}/status" and s.text == "online")

    assert [p.device for p in polls if p.error] == ["em-b1-102"]
    assert first.json()["values"] == {"energy_kwh": 10.5}
    assert recovered.json()["values"] == {"energy_kwh": 77.01}
    warnings = [r.getMessage() for r in caplog.records]
    assert any(f"em-b1-102: nothing answers at 127.0.0.1:{down.port}" in w for w in warnings)
    assert any("em-b1-102 answers again" in w for w in warnings)
    assert not any("Traceback" in w for w in warnings)


async def test_run_polls_on_schedule_until_stopped(
    mqtt_url: str, topic_prefix: str, meters: ModbusServer
) -> None:
    config = sample(mqtt_url, topic_prefix, meters)
    fast = [d.model_copy(update={"poll_s": 0.05}) for d in config.devices]
    config = config.model_copy(update={"devices": fast})
    telemetry = f"{topic_prefix}/{SITE}/em-b1-101/telemetry"
    status = f"{topic_prefix}/{SITE}/em-b1-101/status"
    stop = asyncio.Event()

    async with MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe:
        running = asyncio.create_task(EdgeGateway(config).run(stop))
        await set_energy(meters, config.devices[0], "5")
        await probe.wait_for(
            lambda s: s.topic == telemetry and s.json()["values"]["energy_kwh"] == 5
        )
        await set_energy(meters, config.devices[0], "5.5")
        await probe.wait_for(
            lambda s: s.topic == telemetry and s.json()["values"]["energy_kwh"] == 5.5
        )
        stop.set()
        await asyncio.wait_for(running, 5)
        await probe.wait_for(lambda s: s.topic == status and s.text == "offline")


async def test_stopping_does_not_hang_while_the_broker_is_down(
    topic_prefix: str, meters: ModbusServer
) -> None:
    nowhere = f"mqtt://127.0.0.1:{free_port()}"
    config = sample(nowhere, topic_prefix, meters)
    stop = asyncio.Event()
    async with LogWatch("adapters.mqtt.publisher", "unreachable") as refused:
        running = asyncio.create_task(EdgeGateway(config).run(stop, grace_s=0.2))
        await refused.wait()
    stop.set()
    await asyncio.wait_for(running, 3)
