"""The hub's MQTT subscriber: the one place the hub side touches aiomqtt.

It yields frozen `ReceivedMessage`s from every upstream topic at QoS 1 and keeps coming back
after the broker goes away, waiting a little longer each time (capped). With a `client_id`
it keeps a persistent session, so the broker queues what devices publish while the hub is
restarting or reconnecting (up to Mosquitto's `max_queued_messages`: deploy/mosquitto.conf).

Acknowledgements are manual: the broker hears PUBACK only when the caller says a message is
safely stored (`ack`), so a crash before the commit means a redelivery, never a loss. aiomqtt
2.5 has no public switch for this; paho's `manual_ack` is reached through `Client._client`.
A `share_group` subscribes as `$share/<group>/...` so several hubs split the stream (Mosquitto
and EMQX; the embedded amqtt broker has no shared subscriptions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

import aiomqtt

from adapters.mqtt.topics import upstream_filters
from adapters.mqtt.url import client_for, parse_mqtt_url

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
    """Subscribes to `{prefix}/+/+/{telemetry,event,status}` on the broker at `url`."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        client_id: str | None = None,
        on_connection: Callable[[bool], None] | None = None,
        share_group: str | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.address = parse_mqtt_url(url)
        self.filters = upstream_filters(prefix)
        share = f"$share/{share_group}/" if share_group else ""
        self.subscriptions = [share + topic_filter for topic_filter in self.filters]
        self.client_id = client_id
        self.on_connection = on_connection
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.where = f"mqtt://{self.address.host}:{self.address.port}"  # no credentials in logs
        self._client: aiomqtt.Client | None = None
        self._link = 0

    def _new_client(self) -> aiomqtt.Client:
        client = client_for(
            self.address,
            identifier=self.client_id,
            clean_session=self.client_id is None,
            keepalive=30,
        )
        client._client.manual_ack_set(True)  # PUBACK after the commit: see `ack`
        return client

    def ack(self, messages: Iterable[ReceivedMessage]) -> int:
        """Acknowledge stored messages; those of an earlier connection the broker resends anyway.

        Returns how many were acknowledged. Must run on the event loop that reads the socket.
        """
        client = self._client
        if client is None:
            return 0
        done = 0
        for message in messages:
            if message.qos and message.link == self._link:
                client._client.ack(message.mid, message.qos)
                done += 1
        return done

    async def messages(self) -> AsyncIterator[ReceivedMessage]:
        """Every upstream message, forever; broker loss means a logged wait and a reconnect."""
        delay = self.min_backoff
        while True:
            try:
                async with self._new_client() as client:
                    self._link += 1
                    self._client = client
                    for subscription in self.subscriptions:
                        await client.subscribe(subscription, qos=1)
                    log.info(
                        "MQTT: listening on %s for %s", self.where, ", ".join(self.subscriptions)
                    )
                    self._tell(True)
                    delay = self.min_backoff
                    async for message in client.messages:
                        if not any(message.topic.matches(f) for f in self.filters):
                            # amqtt 0.12 also sends retained messages of others' subscriptions
                            log.debug("MQTT: ignoring %s, not subscribed", message.topic)
                            if message.qos:
                                client._client.ack(message.mid, message.qos)
                            continue
                        yield ReceivedMessage(
                            str(message.topic),
                            bytes(message.payload),
                            bool(message.retain),
                            message.mid,
                            message.qos,
                            self._link,
                        )
            except aiomqtt.MqttError as exc:
                self._tell(False)
                log.warning(
                    "MQTT broker %s unreachable or lost (%s); reconnecting in %.1f s",
                    self.where,
                    exc,
                    delay,
                )
            finally:
                self._client = None  # acks for this connection have nowhere to go now
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    def _tell(self, connected: bool) -> None:
        if self.on_connection is not None:
            self.on_connection(connected)
