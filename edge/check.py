"""`python -m edge --once`: read every device once and say what would be published; send nothing.

A wiring check must not write: with a wrong register map a real poll once put a 1.27e11 kWh
reading into a meter's history. So this reads the devices through the same connections and
register maps as the gateway, but never touches the store-and-forward buffer or the broker.
"""

from __future__ import annotations

import asyncio

from adapters.modbus.client import ModbusConnection
from adapters.modbus.register_map import DeviceMap
from adapters.mqtt.publisher import telemetry_payload
from adapters.mqtt.topics import Channel, topic
from edge.config import EdgeConfig
from edge.gateway import Poll
from hub.clock import Clock, SystemClock
from hub.errors import ServiceUnavailable


async def read_once(config: EdgeConfig, *, clock: Clock | None = None) -> list[Poll]:
    """Each device's values, or why there are none; devices behind one address share a link."""
    now = (clock or SystemClock()).now
    connections: dict[tuple[str, int], ModbusConnection] = {}

    async def read(device: DeviceMap) -> Poll:
        key = (device.host, device.port)
        connection = connections.setdefault(key, ModbusConnection(device.host, device.port))
        ts = now()
        try:
            return Poll(device.device, ts, values=await connection.read_device(device))
        except ServiceUnavailable as exc:
            return Poll(device.device, ts, error=str(exc))

    try:
        return list(await asyncio.gather(*(read(d) for d in config.devices)))
    finally:
        for connection in connections.values():
            connection.close()


def describe(config: EdgeConfig, poll: Poll) -> str:
    """One line: the topic and payload a real poll would publish, or why the device failed."""
    if poll.values is None:
        return f"{poll.device}: FAILED: {poll.error}"
    where = topic(config.prefix, config.site, poll.device, Channel.TELEMETRY)
    return f"{poll.device}: would publish to {where}: {telemetry_payload(poll.values, poll.ts)}"
