"""A device's MQTT session on a real broker: payloads, retained status, last will, reconnect."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.mqtt.broker import EmbeddedBroker, free_port
from adapters.mqtt.publisher import DevicePublisher
from tests.adapters.mqtt_probe import LogWatch, MqttProbe, Seen

SITE = "green-garden"
TS = datetime(2026, 11, 10, 2, 0, 0, 250000, tzinfo=UTC)
TS_MS = 1794276000250


def _on(topic: str) -> Callable[[Seen], bool]:
    return lambda seen: seen.topic == topic


async def test_telemetry_and_event_payloads(mqtt_url: str, topic_prefix: str) -> None:
    base = f"{topic_prefix}/{SITE}/em-b1-101"
    async with MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe:
        async with DevicePublisher(mqtt_url, topic_prefix, SITE, "em-b1-101") as pub:
            await pub.telemetry({"energy_kwh": Decimal("1234.50"), "power_kw": 2}, ts=TS)
            await pub.telemetry({"water_leak": False})
            await pub.event("scan", {"checkpoint": "CP-NORTH-GATE", "guard": "guard"}, ts=TS)
            await pub.event("swipe", {"card": "A1", "granted": True})

        telemetry = [s.json() for s in await _all(probe, f"{base}/telemetry", 2)]
        events = [s.json() for s in await _all(probe, f"{base}/event", 2)]

    assert telemetry == [
        {"ts": TS_MS, "values": {"energy_kwh": 1234.5, "power_kw": 2}},
        {"water_leak": False},
    ]
    assert events == [
        {"ts": TS_MS, "kind": "scan", "data": {"checkpoint": "CP-NORTH-GATE", "guard": "guard"}},
        {"kind": "swipe", "data": {"card": "A1", "granted": True}},
    ]


async def _all(probe: MqttProbe, topic: str, count: int) -> list[Seen]:
    await probe.wait_for(lambda _: len(probe.on(topic)) >= count)
    return probe.on(topic)


async def test_status_online_retained_then_offline_on_clean_close(
    mqtt_url: str, topic_prefix: str
) -> None:
    status = f"{topic_prefix}/{SITE}/leak-b1-101/status"
    async with DevicePublisher(mqtt_url, topic_prefix, SITE, "leak-b1-101"):
        async with MqttProbe(mqtt_url, status) as late_subscriber:
            seen = await late_subscriber.wait_for(_on(status))
        assert (seen.text, seen.retain) == ("online", True)

    async with MqttProbe(mqtt_url, status) as after_close:
        seen = await after_close.wait_for(_on(status))
    assert (seen.text, seen.retain) == ("offline", True)


async def test_abrupt_death_fires_the_retained_last_will(mqtt_url: str, topic_prefix: str) -> None:
    status = f"{topic_prefix}/{SITE}/smoke-b2-hall/status"
    pub = DevicePublisher(mqtt_url, topic_prefix, SITE, "smoke-b2-hall")
    await pub.connect()
    async with MqttProbe(mqtt_url, status) as live:
        await live.wait_for(lambda s: s.text == "online")
        await pub.die()
        will = await live.wait_for(lambda s: s.text == "offline")
    assert will.topic == status

    async with MqttProbe(mqtt_url, status) as late_subscriber:
        seen = await late_subscriber.wait_for(_on(status))
    assert (seen.text, seen.retain) == ("offline", True)


async def test_a_reconnect_announces_the_last_status_again(
    mqtt_url: str, topic_prefix: str
) -> None:
    base = f"{topic_prefix}/{SITE}/em-b1-102"
    async with (
        MqttProbe(mqtt_url, f"{base}/#") as probe,
        DevicePublisher(mqtt_url, topic_prefix, SITE, "em-b1-102") as pub,
    ):
        await pub.set_status("offline")
        await pub.die()
        await pub.telemetry({"energy_kwh": 1})  # reconnects, as after a reboot
        await probe.wait_for(_on(f"{base}/telemetry"))
        statuses = [seen.text for seen in await _all(probe, f"{base}/status", 4)]
        with pytest.raises(ValueError, match="status must be"):
            await pub.set_status("sleeping")
    # connect, set_status, the will, the re-announcement at reconnect
    assert statuses == ["online", "offline", "offline", "offline"]


async def test_waits_for_a_broker_that_starts_late(
    topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    pub = DevicePublisher(url, topic_prefix, SITE, "pump-1", backoff_max_s=0.5)
    caplog.set_level(logging.WARNING, logger="adapters.mqtt.publisher")
    async with LogWatch("adapters.mqtt.publisher", "unreachable") as refused:
        connecting = asyncio.create_task(pub.connect())
        await refused.wait()
    assert not connecting.done()
    assert "Traceback" not in caplog.text

    broker = EmbeddedBroker(port=port)
    await broker.start()
    try:
        await asyncio.wait_for(connecting, 10)
        assert f"pump-1: connected to MQTT broker 127.0.0.1:{port} after" in caplog.text
        async with MqttProbe(url, f"{topic_prefix}/#") as probe:
            await pub.telemetry({"pressure_bar": 3.2})
            seen = await probe.wait_for(lambda s: s.topic.endswith("/telemetry"))
        assert seen.json() == {"pressure_bar": 3.2}
        await pub.close()
    finally:
        await broker.stop()


def test_naive_timestamps_are_refused() -> None:
    from adapters.mqtt.publisher import epoch_ms

    with pytest.raises(ValueError, match="timezone-aware"):
        epoch_ms(datetime(2026, 1, 1))
