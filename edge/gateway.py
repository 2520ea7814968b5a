"""The site gateway: one poller per Modbus device, each poll published as telemetry.

Like a Home Assistant coordinator, a poller owns its device's schedule; a device that does not
answer is logged, marked `offline` on its status topic and skipped, and the others carry on.
Devices behind one `host:port` share one connection, so a gateway or meter bus sees one request at
a time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType

from adapters.modbus.client import ModbusConnection
from adapters.modbus.register_map import DeviceMap
from adapters.mqtt.publisher import OFFLINE, ONLINE, DevicePublisher, SessionClosed
from edge.config import EdgeConfig
from edge.supervise import sleep_unless, supervise
from hub.clock import Clock, SystemClock
from hub.errors import ServiceUnavailable

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Poll:
    """What one poll of one device gave: its values, or why there are none."""

    device: str
    ts: datetime
    values: Mapping[str, Decimal] | None = None
    error: str | None = None


class EdgeGateway:
    """`await EdgeGateway(config).run(stop)`; tests use `async with gateway: await poll_once()`."""

    def __init__(self, config: EdgeConfig, *, clock: Clock | None = None) -> None:
        self.config = config
        self._clock = clock or SystemClock()
        self._connections: dict[tuple[str, int], ModbusConnection] = {}
        self._publishers = {
            device.device: DevicePublisher(
                config.mqtt_url, config.prefix, config.site, device.device
            )
            for device in config.devices
        }

    def _connection(self, device: DeviceMap) -> ModbusConnection:
        key = (device.host, device.port)
        if key not in self._connections:
            self._connections[key] = ModbusConnection(device.host, device.port)
        return self._connections[key]

    async def poll_device(self, device: DeviceMap) -> Poll:
        """Read `device` and publish its values stamped with the poll time."""
        ts = self._clock.now()
        publisher = self._publishers[device.device]
        try:
            values = await self._connection(device).read_device(device)
        except ServiceUnavailable as exc:
            if publisher.status != OFFLINE:
                LOG.warning("%s; skipping it until it answers", exc)
                await publisher.set_status(OFFLINE)
            return Poll(device.device, ts, error=str(exc))
        if publisher.status != ONLINE:
            LOG.warning("Modbus device %s answers again", device.device)
            await publisher.set_status(ONLINE)
        await publisher.telemetry(values, ts=ts)
        return Poll(device.device, ts, values=values)

    async def poll_once(self) -> list[Poll]:
        """Poll every device once, concurrently (tests, and a one-shot `--once` run)."""
        return list(await asyncio.gather(*(self.poll_device(d) for d in self.config.devices)))

    async def _poll_until(self, device: DeviceMap, halt: asyncio.Event) -> None:
        while not halt.is_set():
            try:
                await self.poll_device(device)
            except SessionClosed:
                return
            await sleep_unless(device.poll_s, halt)

    async def run(self, stop: asyncio.Event | None = None, *, grace_s: float = 5.0) -> None:
        """Poll until `stop` is set (or the task is cancelled), then say offline and disconnect.

        Polls under way get `grace_s` to finish; then the sessions close, even with the broker down.
        """
        pollers = [functools.partial(self._poll_until, device) for device in self.config.devices]
        await supervise(pollers, stop, close=self.close, grace_s=grace_s)

    async def close(self) -> None:
        await asyncio.gather(*(publisher.close() for publisher in self._publishers.values()))
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    async def __aenter__(self) -> EdgeGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
