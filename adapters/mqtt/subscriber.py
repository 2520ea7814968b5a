"""The hub's MQTT subscriber: the one place the hub side receives from the broker.

It hands the worker *batches* of frozen `ReceivedMessage`s from every topic under the prefix
(`{prefix}/#`: a malformed topic must reach ingest to become a dead letter) at QoS 1,
and keeps coming back after the broker goes away, waiting a little longer each time (capped).
With a `client_id` it keeps a persistent session, so the broker queues what devices publish
while the hub is restarting or reconnecting (up to Mosquitto's `max_queued_messages`:
deploy/mosquitto.conf).

This is paho itself on a thread of its own, not aiomqtt: receiving is the hub's hottest
loop, and aiomqtt's per-message future and queue cost 67 µs a message against paho's 27 µs
(docs/BENCHMARKS.md). The thread appends to a list, waking the event loop only when it waits.

Acknowledgements are manual: the broker hears PUBACK only when the caller says a message is
safely stored (`ack`), so a crash before the commit means a redelivery, never a loss.
`sites` narrows the subscription to some sites (`{prefix}/{site}/#`): a partitioned worker
(hub/partitions.py) hears its own sites' devices and no others, so each device's messages reach
one worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.mqtt.topics import Upstream
from adapters.mqtt.url import TlsFiles, explain, hub_tls, parse_mqtt_url, ssl_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedMessage:
    """`link` numbers the connection it came on: an ack is only valid on that connection."""

    topic: str
    payload: bytes
    retain: bool = False
    mid: int = 0
    qos: int = 0
    link: int = 0


class Subscriber:
    """Subscribes to `{prefix}/#` (or `{prefix}/{site}/#` for each of `sites`) at `url`."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        sites: Iterable[str] | None = None,
        client_id: str | None = None,
        on_connection: Callable[[bool], None] | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
        tls: TlsFiles | None = None,
    ) -> None:
        """`tls`: the files for an mqtts URL; by default the hub's settings (HUB_MQTT_CA_FILE)."""
        self.address = parse_mqtt_url(url, hub_tls() if tls is None else tls)
        self._tls = ssl_context(self.address.tls) if self.address.tls else None  # fails early
        self.upstream = Upstream(prefix, None if sites is None else frozenset(sites))
        self.client_id = client_id
        self.on_connection = on_connection
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.where = self.address.where  # no credentials in logs
        self._link = 0  # numbers the connections: an ack is only valid on its own
        self._link_lock = threading.Lock()
        self._client: _BatchingClient | None = None
        self._acks: list[tuple[int, int]] = []  # (packet id, QoS) for the network thread
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._subscribed = False
        self._lock = threading.Lock()
        self._pending: list[ReceivedMessage] = []
        self._ready: asyncio.Event | None = None
        self._interrupted = False
        self._waiting = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def subscriptions(self) -> list[str]:
        return self.upstream.filters()

    def _new_client(self) -> _BatchingClient:
        """A fresh client per connection: nothing of a lost link (its packet ids, its queued
        acknowledgements) can reach the next one, where the broker may reuse those ids."""
        client = _BatchingClient(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id or "",
            clean_session=self.client_id is None,
            reconnect_on_failure=False,  # `_run` reconnects, with a new client
            manual_ack=True,  # PUBACK after the commit: see `ack`
        )
        if self.address.username:
            client.username_pw_set(self.address.username, self.address.password)
        if self._tls is not None:
            client.tls_set_context(self._tls)
        client.on_connect = self._connected
        client.on_message = self._received
        return client

    # ------------------------------------------------------------ the event loop's side

    async def start(self) -> None:
        """Connect in the background; messages then wait for `batch`."""
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="mqtt-subscriber", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Disconnect, after the acknowledgements already given; what was not acknowledged
        stays with the broker for the next session."""
        self._stopping.set()
        with self._link_lock:
            client = self._client
        if client is not None:
            await asyncio.sleep(0.05)  # one turn of the network loop sends the last acks
            client.disconnect()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 10)

    async def batch(self, size: int) -> list[ReceivedMessage]:
        """The next messages, at most `size`, waiting until there is at least one; after
        `interrupt`, what is left and then an empty list."""
        assert self._ready is not None, "start() first"
        while True:
            with self._lock:
                if self._pending:
                    batch, self._pending = self._pending[:size], self._pending[size:]
                    return batch
                if self._interrupted:
                    return []
                self._ready.clear()
                self._waiting = True  # the network thread wakes us for the next message
            await self._ready.wait()

    def interrupt(self) -> None:
        """Stop waiting in `batch`: the caller drains what was received, then stops."""
        self._interrupted = True
        if self._ready is not None:
            self._ready.set()

    def pending(self) -> int:
        """Received and not yet taken by `batch`."""
        return len(self._pending)

    def ack(self, messages: Iterable[ReceivedMessage]) -> int:
        """Acknowledge stored messages; those of an earlier connection the broker resends anyway.

        Returns how many will be acknowledged: the network thread sends them within a turn of
        its loop (20 ms at the most), so acknowledging costs the caller no system call.
        """
        with self._link_lock:
            acks = [(m.mid, m.qos) for m in messages if m.qos and m.link == self._link]
            self._acks += acks
        return len(acks)

    def follow(self, sites: Iterable[str]) -> None:
        """Narrow or widen a partitioned subscription to exactly `sites`."""
        old = set(self.subscriptions)
        self.upstream = Upstream(self.upstream.prefix, frozenset(sites))
        new = set(self.subscriptions)
        with self._link_lock:
            client = self._client
        if client is not None and client.is_connected():
            if new - old:
                client.subscribe([(f, 1) for f in sorted(new - old)])
            if old - new:
                client.unsubscribe(sorted(old - new))

    # ------------------------------------------------------------ paho's network thread

    def _run(self) -> None:
        """Connect, serve the connection until it ends, wait, and again, until `stop`."""
        delay = self.min_backoff
        while not self._stopping.is_set():
            client = self._new_client()
            try:
                client.connect(self.address.host, self.address.port, keepalive=30)
            except OSError as exc:  # TLS verification failures too (ssl.SSLError)
                why: object = explain(exc)
            else:
                with self._link_lock:
                    self._link += 1
                    self._client = client
                delay = self.min_backoff if self._served(client) else delay
                why = "connection lost"
            self._tell(False)
            if self._stopping.is_set():
                return
            log.warning(
                "MQTT broker %s unreachable or lost (%s); reconnecting in %.1f s",
                self.where,
                why,
                delay,
            )
            self._stopping.wait(delay)
            delay = min(delay * 2, self.max_backoff)

    def _served(self, client: _BatchingClient) -> bool:
        """Run the connection until it ends; True if it got as far as subscribing."""
        self._subscribed = False
        try:
            while client.loop(timeout=0.02) == mqtt.MQTT_ERR_SUCCESS:
                while client.buffered() and client.loop_read() == mqtt.MQTT_ERR_SUCCESS:
                    pass  # what one read brought in, without a select() a message
                with self._link_lock:
                    acks, self._acks = self._acks, []
                client.ack_all(acks)
        finally:
            with self._link_lock:
                self._client = None  # acks for this link have nowhere to go now
                self._acks = []
        return self._subscribed

    def _received(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        if not self.upstream.matches(topic):
            # amqtt 0.12 also sends retained messages of others' subscriptions
            log.debug("MQTT: ignoring %s, not subscribed", topic)
            if message.qos:
                client.ack(message.mid, message.qos)
            return
        item = ReceivedMessage(
            topic, bytes(message.payload), message.retain, message.mid, message.qos, self._link
        )
        with self._lock:
            self._pending.append(item)
            waiting, self._waiting = self._waiting, False
        if waiting:  # once per wait, not per message: a busy consumer is not woken at all
            self._wake()

    def _connected(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("MQTT broker %s refused the connection: %s", self.where, reason)
            client.disconnect()
            return
        if self.subscriptions:  # a partition may own no site yet
            client.subscribe([(subscription, 1) for subscription in self.subscriptions])
        log.info("MQTT: listening on %s for %s", self.where, ", ".join(self.subscriptions))
        self._subscribed = True
        self._tell(True)

    def _tell(self, connected: bool) -> None:
        if self.on_connection is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.on_connection, connected)

    def _wake(self) -> None:
        if self._loop is not None and self._ready is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the hub is stopping
                self._loop.call_soon_threadsafe(self._ready.set)


class _ReadAheadSocket:
    """The broker connection, read 64 KiB at a time.

    paho reads a packet in three or four `recv` calls (type, length, body), each a system call
    that gives up the interpreter lock and then waits to get it back from the database thread.
    Served from one large read instead, a busy stream costs one system call per hundred
    messages. `pending` is what paho already asks of TLS sockets for bytes read but not used.
    """

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._data = b""
        self._at = 0

    def recv(self, size: int) -> bytes:
        if self._at >= len(self._data):
            self._data, self._at = self._sock.recv(65536), 0  # BlockingIOError: nothing yet
            if not self._data:
                return b""  # the broker closed the connection
        chunk = self._data[self._at : self._at + size]
        self._at += len(chunk)
        return chunk

    def pending(self) -> int:
        return len(self._data) - self._at

    def __getattr__(self, name: str) -> Any:  # send, fileno, close, setblocking, ...
        return getattr(self._sock, name)


class _BatchingClient(mqtt.Client):
    """paho's client, reading ahead and acknowledging a batch in one write.

    Both reach past paho's public API (`_create_socket`, `_packet_queue`): paho 2 has no
    batched acknowledgement, and a PUBACK each costs two system calls. pyproject pins paho < 3.
    """

    def _create_socket(self) -> Any:
        return _ReadAheadSocket(super()._create_socket())

    def buffered(self) -> int:
        """Bytes already read from the broker and not yet handled."""
        sock = self.socket()
        return sock.pending() if isinstance(sock, _ReadAheadSocket) else 0

    def ack_all(self, acks: list[tuple[int, int]]) -> None:
        """PUBACK for every (packet id, QoS 1) in one packet write (MQTT 3.1.1 §3.4)."""
        packet = b"".join(_PUBACK.pack(0x40, 2, mid) for mid, qos in acks if qos == 1)
        if packet:
            self._packet_queue(0x40, packet, 0, 1)


_PUBACK = struct.Struct("!BBH")
