"""MQTT devices of an estate: what each kind says when it wakes, and the loop that publishes it.

A device model is plain Python (testable without a broker); faults flip its flags (`silent`,
`leaking`, `skip_scans`). `DeviceRunner` gives each device its own MQTT session, so each has its
own retained status and last will, as real devices do.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.mqtt.publisher import DevicePublisher, SessionClosed, Value
from edge.supervise import sleep_unless
from hub.clock import Clock
from simulators.fleet_file import (
    CheckpointReaderSpec,
    DeviceSpec,
    GateSpec,
    LeakSensorSpec,
    PumpSpec,
    SmokeSensorSpec,
    WaterMeterSpec,
)
from simulators.household import Consumption

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Telemetry:
    values: dict[str, Value]
    stamped: bool = True  # False: bare values, the hub stamps the receive time


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


Message = Telemetry | Event


class SimulatedDevice:
    """A device that wakes every `period_s()` and says `messages(...)`."""

    def __init__(self, spec: DeviceSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.silent = False

    @property
    def code(self) -> str:
        return self.spec.device

    def period_s(self) -> float:
        return self.spec.interval_s

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        """What the device publishes now; `elapsed_s` of (simulated) time since it last spoke."""
        raise NotImplementedError


class LeakSensor(SimulatedDevice):
    spec: LeakSensorSpec

    def __init__(self, spec: LeakSensorSpec, rng: random.Random) -> None:
        super().__init__(spec, rng)
        self.leaking = False

    def period_s(self) -> float:
        return self.spec.alarm_repeat_s if self.leaking else self.spec.interval_s

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        return [Telemetry({"water_leak": self.leaking}, stamped=False)]


class SmokeSensor(SimulatedDevice):
    spec: SmokeSensorSpec

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        return [Telemetry({"smoke": False, "battery_pct": self.spec.battery_pct})]


class Pump(SimulatedDevice):
    spec: PumpSpec

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        pressure = round(self.spec.pressure_bar + self.rng.gauss(0, 0.05), 2)
        return [Telemetry({"pressure_bar": pressure, "running": True})]


class WaterMeter(SimulatedDevice):
    spec: WaterMeterSpec

    def __init__(self, spec: WaterMeterSpec, rng: random.Random, *, timezone: str) -> None:
        super().__init__(spec, rng)
        self.total = Consumption(
            spec.start_m3, spec.mean_m3_per_day / 24, places=3, rng=rng, timezone=timezone
        )

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        return [Telemetry({"water_m3": self.total.advance(now, elapsed_s)})]


class Gate(SimulatedDevice):
    spec: GateSpec

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        if self.rng.random() < self.spec.denied_share:
            return [Event("swipe", {"card": f"C-{self.rng.randint(9000, 9999)}", "granted": False})]
        return [Event("swipe", {"card": self.rng.choice(self.spec.cards), "granted": True})]


class CheckpointReader(SimulatedDevice):
    spec: CheckpointReaderSpec

    def __init__(self, spec: CheckpointReaderSpec, rng: random.Random) -> None:
        super().__init__(spec, rng)
        self.skip_scans = 0

    def messages(self, now: datetime, elapsed_s: float) -> list[Message]:
        if self.skip_scans:
            self.skip_scans -= 1
            LOG.info(
                "%s: the guard does not come by; no scan of %s", self.code, self.spec.checkpoint
            )
            return []
        data = {"checkpoint": self.spec.checkpoint}
        if self.spec.guard:
            data["guard"] = self.spec.guard
        return [Event("scan", data)]


def build_device(spec: DeviceSpec, rng: random.Random, *, timezone: str) -> SimulatedDevice:
    if isinstance(spec, LeakSensorSpec):
        return LeakSensor(spec, rng)
    if isinstance(spec, WaterMeterSpec):
        return WaterMeter(spec, rng, timezone=timezone)
    if isinstance(spec, CheckpointReaderSpec):
        return CheckpointReader(spec, rng)
    simple: dict[type[Any], type[SimulatedDevice]] = {
        SmokeSensorSpec: SmokeSensor,
        PumpSpec: Pump,
        GateSpec: Gate,
    }
    return simple[type(spec)](spec, rng)


class DeviceRunner:
    """One simulated device on its own MQTT session; `poke()` makes it speak at once."""

    def __init__(
        self,
        device: SimulatedDevice,
        publisher: DevicePublisher,
        clock: Clock,
        *,
        speedup: float = 1.0,
    ) -> None:
        self.device, self.publisher = device, publisher
        self.dead = False
        self.connected = asyncio.Event()  # set once its session is up the first time
        self._clock, self._speedup = clock, speedup
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self._wake.set()

    async def die(self) -> None:
        """Lose power: no goodbye, so the broker publishes the last will."""
        self.dead = True
        await self.publisher.die()

    def revive(self) -> None:
        """Power back: the next message reconnects and announces `online`."""
        self.dead = False
        self.poke()

    async def _send(self, message: Message, now: datetime) -> None:
        if isinstance(message, Event):
            await self.publisher.event(message.kind, message.data, ts=now)
        else:
            await self.publisher.telemetry(message.values, ts=now if message.stamped else None)

    async def run(self, halt: asyncio.Event) -> None:
        """Speak every period until `halt` (or until the session is closed under it)."""
        try:
            await self.publisher.connect()
            self.connected.set()
            last = time.monotonic()
            while not halt.is_set():
                self._wake.clear()  # a poke while publishing below wakes the next sleep at once
                if not (self.dead or self.device.silent):
                    elapsed, last = (time.monotonic() - last) * self._speedup, time.monotonic()
                    now = self._clock.now()
                    for message in self.device.messages(now, elapsed):
                        await self._send(message, now)
                await sleep_unless(self.device.period_s(), halt, self._wake)
        except SessionClosed:
            return
