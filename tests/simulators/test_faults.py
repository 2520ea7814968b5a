"""The fault schedule, on a real broker: a leak, a silent device, a dead one, a missed scan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from simulators.faults import timeline
from simulators.fleet import Fleet
from simulators.fleet_file import FleetSpec
from tests.adapters.mqtt_probe import MqttProbe, Seen

SITE = "green-garden"
DEVICES = [
    {"device": "leak-b1-101", "kind": "leak_sensor", "interval_s": 30, "alarm_repeat_s": 0.05},
    {"device": "smoke-b2-hall", "kind": "smoke_sensor", "interval_s": 30},
    {"device": "wm-b2-201", "kind": "water_meter", "interval_s": 0.05},
    {
        "device": "cpr-north",
        "kind": "checkpoint_reader",
        "interval_s": 0.1,
        "checkpoint": "CP-NORTH-GATE",
    },
]


def fleet_spec(*faults: dict[str, Any]) -> FleetSpec:
    return FleetSpec.model_validate({"site": SITE, "mqtt_devices": DEVICES, "faults": faults})


@pytest.fixture
async def running(
    request: pytest.FixtureRequest, mqtt_url: str, topic_prefix: str
) -> AsyncIterator[tuple[Fleet, MqttProbe]]:
    """The fleet of `request.param` (a FleetSpec) running, watched by a probe."""
    fleet = Fleet(request.param, mqtt_url, topic_prefix)
    stop = asyncio.Event()
    async with MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe:
        task = asyncio.create_task(fleet.run(stop))
        yield fleet, probe
        stop.set()
        await asyncio.wait_for(task, 10)


def on(prefix: str, device: str, channel: str) -> str:
    return f"{prefix}/{SITE}/{device}/{channel}"


@pytest.mark.parametrize(
    "running",
    [
        fleet_spec(
            {"at_s": 0.2, "kind": "leak", "device": "leak-b1-101", "for_s": 0.4},
        )
    ],
    indirect=True,
)
async def test_a_leak_is_reported_repeatedly_then_clears(
    running: tuple[Fleet, MqttProbe], topic_prefix: str
) -> None:
    _, probe = running
    topic = on(topic_prefix, "leak-b1-101", "telemetry")
    await probe.wait_for(lambda s: s.topic == topic and s.json() == {"water_leak": True})
    await probe.wait_for(
        lambda _: (
            [s.json() for s in probe.on(topic)][-1:] == [{"water_leak": False}]
            and len(probe.on(topic)) > 3
        )
    )
    said = [s.json()["water_leak"] for s in probe.on(topic)]
    assert said[0] is False and said[-1] is False
    assert said.count(True) >= 3  # repeated every alarm_repeat_s while leaking


@pytest.mark.parametrize(
    "running",
    [
        fleet_spec(
            {"at_s": 0.2, "kind": "die", "device": "smoke-b2-hall"},
        )
    ],
    indirect=True,
)
async def test_a_dead_device_leaves_its_retained_last_will(
    running: tuple[Fleet, MqttProbe], mqtt_url: str, topic_prefix: str
) -> None:
    _, probe = running
    status = on(topic_prefix, "smoke-b2-hall", "status")
    await probe.wait_for(lambda s: s.topic == status and s.text == "online")
    await probe.wait_for(lambda s: s.topic == status and s.text == "offline")
    async with MqttProbe(mqtt_url, status) as late:
        seen = await late.wait_for(lambda s: s.topic == status)
    assert (seen.text, seen.retain) == ("offline", True)


@pytest.mark.parametrize(
    "running",
    [
        fleet_spec(
            {"at_s": 0.2, "kind": "silent", "device": "wm-b2-201"},
            {"at_s": 0.2, "kind": "miss_scan", "device": "cpr-north"},
        )
    ],
    indirect=True,
)
async def test_silent_and_missed_scan(
    running: tuple[Fleet, MqttProbe], topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    fleet, probe = running
    caplog.set_level(logging.INFO, logger="simulators")
    water = on(topic_prefix, "wm-b2-201", "telemetry")
    scans = on(topic_prefix, "cpr-north", "event")

    def scans_after(count: int) -> Callable[[Seen], bool]:
        return lambda _: len(probe.on(scans)) >= count

    await probe.wait_for(lambda _: "does not come by; no scan of CP-NORTH-GATE" in caplog.text)
    assert fleet.runners["wm-b2-201"].device.silent  # both faults are due at 0.2 s
    await probe.wait_for(scans_after(len(probe.on(scans)) + 2))  # let messages in flight land
    before = len(probe.on(water))
    await probe.wait_for(scans_after(len(probe.on(scans)) + 3))  # time passes, nothing more
    assert before > 0 and len(probe.on(water)) == before
    assert all(s.json()["kind"] == "scan" for s in probe.on(scans))


def test_undo_steps_follow_their_faults_in_time() -> None:
    spec = fleet_spec(
        {"at_s": 5, "kind": "leak", "device": "leak-b1-101", "for_s": 10},
        {"at_s": 8, "kind": "die", "device": "smoke-b2-hall", "for_s": 1},
    )
    steps = [(s.at_s, s.fault.kind.value, s.undo) for s in timeline(spec.faults)]
    assert steps == [(5, "leak", False), (8, "die", False), (9, "die", True), (15, "leak", True)]
