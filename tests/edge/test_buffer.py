"""Store and forward: polls made while the broker is away arrive later, in order, exactly once.

Runs against a private Mosquitto (deploy/mosquitto.conf) that the test stops and starts again,
and a real Modbus server. Without the mosquitto binary the broker tests skip, except in CI.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.modbus.server import ModbusServer
from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto, mosquitto_binary
from adapters.mqtt.topics import Channel
from edge.buffer import StoreBuffer
from edge.config import SAMPLE_EDGE, BufferConfig, EdgeConfig, parse_edge_config
from edge.gateway import EdgeGateway
from hub.errors import ConfigError
from tests.adapters.mqtt_probe import MqttProbe, Seen

SITE, DEVICE = "green-garden", "em-b1-101"
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class TickingClock:
    """Each poll asks the time once; one second passes per question, so polls are numbered."""

    def __init__(self) -> None:
        self.asked = 0

    def now(self) -> datetime:
        self.asked += 1
        return START + timedelta(seconds=self.asked)


def poll_number(seen: Seen) -> int:
    stamp = datetime.fromtimestamp(seen.json()["ts"] / 1000, UTC)
    return round((stamp - START).total_seconds())


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    if mosquitto_binary() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but the mosquitto binary is missing (apt-get install mosquitto)")
        pytest.skip("the mosquitto binary is not installed (apt-get install mosquitto)")
    with PrivateMosquitto(tmp_path / "mosquitto") as broker:
        yield broker


@pytest.fixture
async def meter() -> AsyncIterator[ModbusServer]:
    async with ModbusServer([1]) as server:
        yield server


def one_meter(url: str, prefix: str, server: ModbusServer, **buffer: object) -> EdgeConfig:
    config = parse_edge_config(SAMPLE_EDGE).retarget(
        mqtt_url=url, prefix=prefix, modbus_host=server.host, modbus_port=server.port
    )
    device = config.devices[0].model_copy(update={"poll_s": 0.1})
    return config.model_copy(
        update={"devices": [device], "buffer": BufferConfig.model_validate(buffer)}
    )


async def set_energy(server: ModbusServer, config: EdgeConfig, kwh: int) -> None:
    await server.set_value(1, config.devices[0].registers[0], Decimal(kwh))


def energy_is(topic: str, kwh: int) -> Callable[[Seen], bool]:
    return lambda s: s.topic == topic and s.json()["values"]["energy_kwh"] == kwh


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    """Wait for `condition()` to hold, checking every 20 ms; fail after `within_s`."""
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110 (a file, not an event, holds the state)
            await asyncio.sleep(0.02)


async def test_polls_during_a_broker_outage_arrive_afterwards_in_order_exactly_once(
    mosquitto: PrivateMosquitto, meter: ModbusServer, topic_prefix: str
) -> None:
    config = one_meter(mosquitto.url, topic_prefix, meter)
    telemetry = f"{topic_prefix}/{SITE}/{DEVICE}/telemetry"
    status = f"{topic_prefix}/{SITE}/{DEVICE}/status"
    session = f"hub-{topic_prefix}"  # a persistent session, as the hub has
    clock, stop = TickingClock(), asyncio.Event()
    gateway = EdgeGateway(config, clock=clock)
    await set_energy(meter, config, 1)

    async with MqttProbe(mosquitto.url, f"{topic_prefix}/#", session=session) as before:
        running = asyncio.create_task(gateway.run(stop))  # after subscribing: poll 1 is seen
        await before.wait_for(energy_is(telemetry, 1))
    mosquitto.stop()
    await set_energy(meter, config, 2)
    await until(lambda: gateway.buffer.rows >= 5)  # it keeps polling, and keeps what it polled

    mosquitto.start()
    async with MqttProbe(mosquitto.url, f"{topic_prefix}/#", session=session) as after:
        await after.wait_for(energy_is(telemetry, 2))
        await set_energy(meter, config, 3)
        await after.wait_for(energy_is(telemetry, 3))
        stop.set()
        await asyncio.wait_for(running, 5)
        await after.wait_for(lambda s: s.topic == status and s.text == "offline")

    arrived = [s for s in [*before.seen, *after.seen] if s.topic == telemetry]
    numbers = [poll_number(s) for s in arrived]
    assert numbers == list(range(1, clock.asked + 1))  # every poll, in order, once
    energies = [s.json()["values"]["energy_kwh"] for s in arrived]
    assert energies == sorted(energies)
    assert energies.count(2) >= 5  # polled while the broker was down, sent later
    assert len(gateway.buffer) == 0


async def test_a_full_buffer_warns_and_drops_the_oldest(
    mosquitto: PrivateMosquitto,
    meter: ModbusServer,
    topic_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mosquitto.stop()
    config = one_meter(mosquitto.url, topic_prefix, meter, max_rows=5)
    telemetry = f"{topic_prefix}/{SITE}/{DEVICE}/telemetry"
    caplog.set_level(logging.WARNING, logger="edge.buffer")
    clock = TickingClock()

    async with EdgeGateway(config, clock=clock) as gateway:
        for kwh in range(1, 9):
            await set_energy(meter, config, kwh)
            await gateway.poll_device(config.devices[0])
        assert (len(gateway.buffer), gateway.buffer.dropped) == (5, 3)

        mosquitto.start()
        async with MqttProbe(mosquitto.url, telemetry) as probe:
            assert await gateway.forward() == 5
            await probe.wait_for(energy_is(telemetry, 8))

    assert [s.json()["values"]["energy_kwh"] for s in probe.seen] == [4, 5, 6, 7, 8]
    assert [poll_number(s) for s in probe.seen] == [4, 5, 6, 7, 8]
    warnings = [r.getMessage() for r in caplog.records if "is full" in r.getMessage()]
    assert len(warnings) == 1  # once when it fills, not at every poll
    assert (
        "dropped the oldest 1 message(s), from em-b1-101 polled at 2026-03-01T08:00:01"
        in (warnings[0])
    )
    assert "limits 5 messages" in warnings[0]


async def test_a_restarted_gateway_sends_what_the_last_one_kept_first(
    mosquitto: PrivateMosquitto, meter: ModbusServer, topic_prefix: str, tmp_path: Path
) -> None:
    mosquitto.stop()
    config = one_meter(mosquitto.url, topic_prefix, meter, path=tmp_path / "edge.db")
    telemetry = f"{topic_prefix}/{SITE}/{DEVICE}/telemetry"
    clock = TickingClock()

    async with EdgeGateway(config, clock=clock) as first:
        for kwh in (1, 2, 3):
            await set_energy(meter, config, kwh)
            await first.poll_device(config.devices[0])
    # the edge process is gone; the broker comes back; a new process starts on the same file
    mosquitto.start()
    await set_energy(meter, config, 4)
    async with (
        MqttProbe(mosquitto.url, telemetry) as probe,
        EdgeGateway(config, clock=clock) as second,
    ):
        assert len(second.buffer) == 3
        await second.poll_once()
        await probe.wait_for(energy_is(telemetry, 4))

    assert [(poll_number(s), s.json()["values"]["energy_kwh"]) for s in probe.seen] == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
    ]


async def test_two_gateways_cannot_share_one_buffer_file(
    meter: ModbusServer, topic_prefix: str, tmp_path: Path
) -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    config = one_meter(url, topic_prefix, meter, path=tmp_path / "edge.db")
    async with EdgeGateway(config):
        with pytest.raises(ConfigError, match="another gateway using this file"):
            EdgeGateway(config)


def test_the_message_being_sent_is_never_dropped(tmp_path: Path) -> None:
    with StoreBuffer(tmp_path / "b.db", max_rows=2, max_bytes=10_000) as buffer:
        for n in range(2):
            buffer.append(DEVICE, Channel.TELEMETRY, n, f"m{n}")
        sending = buffer.oldest()
        buffer.append(DEVICE, Channel.TELEMETRY, 2, "m2")  # full: drops m1, not m0 in flight
        assert sending is not None
        buffer.remove(sending)
        rest = buffer.oldest()
        assert (rest and rest.payload, buffer.dropped, len(buffer)) == ("m2", 1, 1)


def test_the_byte_limit_drops_the_oldest_too(tmp_path: Path) -> None:
    with StoreBuffer(tmp_path / "b.db", max_rows=100, max_bytes=25) as buffer:
        for n in range(4):
            buffer.append(DEVICE, Channel.TELEMETRY, n, f"{n}" * 10)  # 10 bytes each
        assert (buffer.rows, buffer.bytes, buffer.dropped) == (2, 20, 2)
        oldest = buffer.oldest()
        assert oldest is not None and oldest.payload == "2" * 10
        with pytest.raises(ValueError, match="cannot fit"):
            buffer.append(DEVICE, Channel.TELEMETRY, 9, "x" * 26)
