"""The site gateway: one poller per Modbus device, each poll published as telemetry.

Like a Home Assistant coordinator, a poller owns its device's schedule; a device that does not
answer is logged, marked `offline` on its status topic and skipped, and the others carry on.
Devices behind one `host:port` share one connection, so a gateway or meter bus sees one request at
a time. Polls never wait for the broker: each goes into the store-and-forward buffer
(edge/buffer.py), and one forwarder sends the buffer to the broker oldest first, removing each
message only once the broker acknowledged it.
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
from adapters.mqtt.publisher import (
    OFFLINE,
    ONLINE,
    DevicePublisher,
    SessionClosed,
    epoch_ms,
    telemetry_payload,
)
from adapters.mqtt.topics import Channel
from edge.buffer import Buffered, StoreBuffer
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
    """`await EdgeGateway(config).run(stop)`; tests use `async with gateway: await poll_once()`.

    Opening the gateway opens (and locks) its buffer file; `close` releases it.
    """

    def __init__(self, config: EdgeConfig, *, clock: Clock | None = None) -> None:
        self.config = config
        self._clock = clock or SystemClock()
        self._connections: dict[tuple[str, int], ModbusConnection] = {}
        self._publishers: dict[str, DevicePublisher] = {}
        self._status = {device.device: ONLINE for device in config.devices}
        self.buffer = StoreBuffer(
            config.buffer.resolved_path(config.site),
            max_rows=config.buffer.max_rows,
            max_bytes=config.buffer.max_bytes,
        )
        self._buffered = asyncio.Event()  # set after every poll: the forwarder may have work
        self._forwarding = asyncio.Lock()
        self._polling = 0  # polls under way: a stopping forwarder waits for their messages
        self._latest_poll: datetime | None = None  # what is sent well before it is a replay
        self._closed = False

    def _publisher(self, device: str) -> DevicePublisher:
        """The device's MQTT session; also for a device left in the buffer but no longer polled."""
        if self._closed:
            raise SessionClosed(f"device {device}: the gateway is closed")
        if device not in self._publishers:
            config = self.config
            self._publishers[device] = DevicePublisher(
                config.mqtt_url, config.prefix, config.site, device, tls=config.tls
            )
        return self._publishers[device]

    def _connection(self, device: DeviceMap) -> ModbusConnection:
        key = (device.host, device.port)
        if key not in self._connections:
            self._connections[key] = ModbusConnection(device.host, device.port)
        return self._connections[key]

    async def poll_device(self, device: DeviceMap) -> Poll:
        """Read `device` and buffer its values stamped with the poll time (never waits for MQTT)."""
        self._polling += 1
        try:
            return await self._poll(device)
        finally:
            self._polling -= 1
            self._buffered.set()

    async def _poll(self, device: DeviceMap) -> Poll:
        ts = self._clock.now()
        self._latest_poll = max(ts, self._latest_poll or ts)
        try:
            values = await self._connection(device).read_device(device)
        except ServiceUnavailable as exc:
            if self._status[device.device] != OFFLINE:
                LOG.warning("%s; skipping it until it answers", exc)
                self._buffer(device.device, Channel.STATUS, ts, OFFLINE)
            return Poll(device.device, ts, error=str(exc))
        if self._status[device.device] != ONLINE:
            LOG.warning("Modbus device %s answers again", device.device)
            self._buffer(device.device, Channel.STATUS, ts, ONLINE)
        self._buffer(device.device, Channel.TELEMETRY, ts, telemetry_payload(values, ts))
        return Poll(device.device, ts, values=values)

    def _buffer(self, device: str, channel: Channel, ts: datetime, payload: str) -> None:
        if channel is Channel.STATUS:
            self._status[device] = payload
        self.buffer.append(device, channel, epoch_ms(ts), payload)

    async def forward(self) -> int:
        """Send what is buffered, oldest first, until the buffer is empty; how many were sent.

        Waits (the sessions retry) while the broker is away; each message leaves the buffer
        only when the broker has acknowledged it.
        """
        sent = 0
        async with self._forwarding:
            while True:
                self._buffered.clear()
                message = self.buffer.oldest()
                if message is None:
                    return sent
                await self._send(message)
                self.buffer.remove(message)
                sent += 1

    async def _send(self, message: Buffered) -> None:
        publisher = self._publisher(message.device)
        if message.channel is Channel.STATUS:
            await publisher.set_status(message.payload)  # announced again at each reconnect
        else:
            await publisher.send(message.channel, message.to_send(self._latest_poll))

    async def _forward_until(self, halt: asyncio.Event) -> None:
        """Forward as messages arrive; once halted, send what the last polls buffered too
        (while the grace lasts: then `close` ends a wait for the broker with SessionClosed)."""
        while True:
            try:
                await self.forward()
            except SessionClosed:
                return
            if halt.is_set():
                if not self._polling:
                    return
                await sleep_unless(60, self._buffered)
            else:
                await sleep_unless(60, self._buffered, halt)

    async def poll_once(self) -> list[Poll]:
        """Poll every device once, concurrently, and forward the buffer (tests; `--once` is
        edge/check.py, which publishes nothing)."""
        polls = list(await asyncio.gather(*(self.poll_device(d) for d in self.config.devices)))
        await self.forward()
        return polls

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
        await supervise([*pollers, self._forward_until], stop, close=self.close, grace_s=grace_s)

    async def close(self) -> None:
        """Close the sessions and connections; what is still buffered stays for the next start."""
        if self._closed:
            return
        self._closed = True
        await asyncio.gather(*(publisher.close() for publisher in self._publishers.values()))
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
        # A forwarder still waiting for the broker is cancelled next (supervise) or gets
        # SessionClosed; either way it never reaches the buffer again.
        if self.buffer.rows:
            LOG.warning(
                "edge stopping with %d message(s) buffered in %s; they are sent at the next start",
                self.buffer.rows,
                self.buffer.path,
            )
        self.buffer.close()

    async def __aenter__(self) -> EdgeGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
