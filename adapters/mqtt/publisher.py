"""A device's MQTT session: telemetry, events and a retained status with a last will.

The topic and payload contract is docs/topics.md. The session announces its status (`online`)
retained at every connect, leaves `offline` as its last will, and reconnects with backoff when the
broker goes away, so a device (or the edge gateway speaking for one) never has to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Mapping
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import aiomqtt

from adapters.mqtt.topics import Channel, topic
from adapters.mqtt.url import TlsFiles, client_for, explain, parse_mqtt_url
from hub.errors import ServiceUnavailable

LOG = logging.getLogger(__name__)
logging.getLogger("mqtt").setLevel(logging.CRITICAL)  # aiomqtt's own logger: we report instead

Value = Decimal | float | int | bool | str
ONLINE, OFFLINE = "online", "offline"


class SessionClosed(ServiceUnavailable):
    """The session was closed: nothing more is published (the owner is shutting down)."""


def epoch_ms(ts: datetime) -> int:
    """Milliseconds since the epoch; `ts` must be timezone-aware."""
    if ts.tzinfo is None:
        raise ValueError("telemetry timestamps must be timezone-aware")
    return round(ts.timestamp() * 1000)


def _json_value(value: Any) -> Any:
    """Decimals leave as JSON numbers (int when whole), never as strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot publish {type(value).__name__} {value!r}")


def _dumps(payload: object) -> str:
    return json.dumps(payload, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def telemetry_payload(values: Mapping[str, Value], ts: datetime | None = None) -> str:
    """`{"ts": ms, "values": {...}}`; without `ts`, the bare values (the hub stamps them)."""
    return _dumps(dict(values) if ts is None else {"ts": epoch_ms(ts), "values": dict(values)})


async def _unless_disconnected(client: aiomqtt.Client, publishing: Awaitable[None]) -> None:
    """Wait for the broker's acknowledgement, but fail at once when the connection drops.

    aiomqtt would otherwise wait out its whole timeout for a PUBACK that can no longer come.
    """
    sent = asyncio.ensure_future(publishing)
    await asyncio.wait({sent, client._disconnected}, return_when=asyncio.FIRST_COMPLETED)
    if not sent.done():
        sent.cancel()
        raise aiomqtt.MqttError("the connection dropped before the broker acknowledged")
    sent.result()


class DevicePublisher:
    """`async with DevicePublisher(url, prefix, site, device) as pub: await pub.telemetry(...)`."""

    def __init__(
        self,
        url: str,
        prefix: str,
        site: str,
        device: str,
        *,
        keepalive_s: int = 30,
        backoff_max_s: float = 30.0,
        timeout_s: float = 10.0,
        tls: TlsFiles | None = None,
    ) -> None:
        """`tls`: the CA and client files for an mqtts URL that does not name them itself."""
        self.address = parse_mqtt_url(url, tls)
        self.prefix, self.site, self.device = prefix, site, device
        self.identifier = f"{prefix}.{site}.{device}"
        self.status = ONLINE
        self._keepalive_s, self._backoff_max_s, self._timeout_s = (
            keepalive_s,
            backoff_max_s,
            timeout_s,
        )
        self._client: aiomqtt.Client | None = None
        self._closed = False
        self._lock = asyncio.Lock()

    def topic(self, channel: Channel) -> str:
        return topic(self.prefix, self.site, self.device, channel)

    def _new_client(self) -> aiomqtt.Client:
        will = aiomqtt.Will(self.topic(Channel.STATUS), OFFLINE, qos=1, retain=True)
        return client_for(
            self.address,
            identifier=self.identifier,
            will=will,
            keepalive=self._keepalive_s,
            timeout=self._timeout_s,
        )

    async def connect(self) -> None:
        """Connect (retrying with backoff until the broker answers) and announce `status`."""
        self._closed = False
        await self._connected()

    async def _connected(self) -> aiomqtt.Client:
        async with self._lock:
            failures = 0
            while self._client is None:
                if self._closed:
                    raise SessionClosed(f"device {self.device}: the MQTT session is closed")
                try:
                    client = await self._open()
                except aiomqtt.MqttError as exc:
                    delay = min(0.5 * 2**failures, self._backoff_max_s)
                    failures += 1
                    LOG.warning(
                        "device %s: MQTT broker %s unreachable (%s); retrying in %.1f s",
                        self.device,
                        self.address.where,
                        explain(exc),
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                if self._closed:  # closed while connecting: do not leak the session
                    await self._discard(client)
                    continue
                self._client = client
                if failures:
                    LOG.warning(
                        "device %s: connected to MQTT broker %s:%s after %d failed tries",
                        self.device,
                        self.address.host,
                        self.address.port,
                        failures,
                    )
            return self._client

    async def _open(self) -> aiomqtt.Client:
        client = self._new_client()
        await client.__aenter__()
        try:
            await client.publish(self.topic(Channel.STATUS), self.status, qos=1, retain=True)
        except aiomqtt.MqttError:
            await self._discard(client)
            raise
        return client

    async def send(self, channel: Channel, payload: str, *, retain: bool = False) -> None:
        """Publish at QoS 1 and return once the broker acknowledged it; when the connection is
        lost, reconnect and publish again (so it waits, however long the broker is away)."""
        while True:
            client = await self._connected()
            try:
                await _unless_disconnected(
                    client, client.publish(self.topic(channel), payload, qos=1, retain=retain)
                )
                return
            except aiomqtt.MqttError as exc:
                LOG.warning("device %s: lost the MQTT broker (%s); reconnecting", self.device, exc)
                if self._client is client:
                    self._client = None
                await self._discard(client)

    async def telemetry(self, values: Mapping[str, Value], *, ts: datetime | None = None) -> None:
        """`{"ts": ms, "values": {...}}`; without `ts`, the bare values (the hub stamps them)."""
        await self.send(Channel.TELEMETRY, telemetry_payload(values, ts))

    async def event(
        self, kind: str, data: Mapping[str, Any], *, ts: datetime | None = None
    ) -> None:
        """`{"ts": ms, "kind": kind, "data": {...}}` (`ts` left out when not given)."""
        body: dict[str, Any] = {"kind": kind, "data": dict(data)}
        if ts is not None:
            body = {"ts": epoch_ms(ts), **body}
        await self.send(Channel.EVENT, _dumps(body))

    async def set_status(self, status: str) -> None:
        """Publish `online`/`offline` retained, and announce it again after every reconnect."""
        if status not in (ONLINE, OFFLINE):
            raise ValueError(f"status must be {ONLINE!r} or {OFFLINE!r}, not {status!r}")
        self.status = status
        await self.send(Channel.STATUS, status, retain=True)

    async def die(self) -> None:
        """Drop the connection without a DISCONNECT, as a device losing power does.

        The broker then publishes the last will (`offline`, retained). A later publish reconnects,
        as the device would after a reboot.
        """
        client, self._client = self._client, None
        if client is None:
            return
        sock = client._client.socket()  # the paho socket under aiomqtt
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
        # Let aiomqtt see the broken socket first, so leaving its context sends no DISCONNECT.
        with contextlib.suppress(Exception):  # the timeout, or whatever ended the connection
            await asyncio.wait_for(asyncio.shield(client._disconnected), timeout=2)
        await self._discard(client)

    async def close(self) -> None:
        """Say `offline` (retained) and disconnect cleanly; a clean disconnect fires no will.

        Publishing after `close` raises `SessionClosed`, also in a task still waiting for the
        broker, so shutting down never hangs on a broker that is down.
        """
        self._closed = True
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(aiomqtt.MqttError):  # broker gone: it publishes the will
            await client.publish(self.topic(Channel.STATUS), OFFLINE, qos=1, retain=True, timeout=2)
        await self._discard(client)

    @staticmethod
    async def _discard(client: aiomqtt.Client) -> None:
        """Leave the aiomqtt context, swallowing the error a broken connection leaves in it."""
        with contextlib.suppress(aiomqtt.MqttError, RuntimeError):
            await client.__aexit__(None, None, None)
        disconnected = client._disconnected
        if disconnected.done() and not disconnected.cancelled():
            disconnected.exception()  # retrieved, so asyncio does not log it as lost

    async def __aenter__(self) -> DevicePublisher:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
