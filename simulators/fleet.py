"""A whole simulated estate: Modbus electricity meters, MQTT devices and a fault schedule.

`await Fleet(spec, mqtt_url, prefix, modbus_host, modbus_port).run(stop)` runs on the caller's
event loop (`hub demo` runs it next to the edge gateway and the hub); `ready` is set once the Modbus
meters listen, so a gateway started after it finds them.
"""

from __future__ import annotations

import asyncio
import random
import time

from adapters.mqtt.publisher import DevicePublisher
from adapters.mqtt.url import TlsFiles
from edge.supervise import Worker, supervise
from hub.clock import Clock, SystemClock
from simulators.faults import inject
from simulators.fleet_file import FleetSpec
from simulators.modbus_meter import MeterSimulator
from simulators.mqtt_devices import DeviceRunner, build_device


class Fleet:
    def __init__(
        self,
        spec: FleetSpec,
        mqtt_url: str,
        prefix: str = "estate",
        modbus_host: str = "127.0.0.1",
        modbus_port: int = 5020,
        *,
        clock: Clock | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        """`mqtt_url` may carry an account (the site's `edge-<site>` speaks for every device);
        `tls` names the CA and client files for an mqtts URL."""
        self.spec = spec
        clock = clock or SystemClock()
        rng = random.Random(spec.seed)
        self.meters = (
            MeterSimulator(
                spec.modbus_meters,
                host=modbus_host,
                port=modbus_port,
                speedup=spec.speedup,
                seed=rng.randrange(2**32),
                clock=clock,
                timezone=spec.timezone,
            )
            if spec.modbus_meters
            else None
        )
        self.runners = {
            d.device: DeviceRunner(
                build_device(d, random.Random(rng.randrange(2**32)), timezone=spec.timezone),
                DevicePublisher(mqtt_url, prefix, spec.site, d.device, tls=tls),
                clock,
                speedup=spec.speedup,
            )
            for d in spec.mqtt_devices
        }
        self.ready = asyncio.Event()

    @property
    def modbus_port(self) -> int | None:
        """The meters' port (the real one once `ready`, when 0 was asked for)."""
        return self.meters.port if self.meters else None

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run every device and the fault schedule until `stop` (or cancellation)."""
        workers: list[Worker] = [runner.run for runner in self.runners.values()]
        if self.meters:
            await self.meters.start()
            workers.append(self.meters.run)
        self.ready.set()
        workers.append(self._inject_faults)
        await supervise(workers, stop, close=self._close)

    async def _inject_faults(self, halt: asyncio.Event) -> None:
        """The schedule's clock starts once every MQTT device is connected."""
        await asyncio.gather(*(runner.connected.wait() for runner in self.runners.values()))
        await inject(self.spec.faults, self.runners, halt, started=time.monotonic())

    async def _close(self) -> None:
        await asyncio.gather(*(runner.publisher.close() for runner in self.runners.values()))
        if self.meters:
            await self.meters.stop()
