"""The hub's MQTT subscriber: the one place the hub side touches aiomqtt.

It yields frozen `ReceivedMessage`s from every upstream topic at QoS 1 and keeps coming back
after the broker goes away, waiting a little longer each time (capped). With a `client_id`
it keeps a persistent session, so the broker queues what devices publish while the hub is
restarting or reconnecting (up to Mosquitto's `max_queued_messages`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiomqtt

from adapters.mqtt.topics import upstream_filters
from adapters.mqtt.url import parse_mqtt_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedMessage:
    topic: str
    payload: bytes
    retain: bool = False


class Subscriber:
    """Subscribes to `{prefix}/+/+/{telemetry,event,status}` on the broker at `url`."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        client_id: str | None = None,
        on_connection: Callable[[bool], None] | None = None,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.address = parse_mqtt_url(url)
        self.filters = upstream_filters(prefix)
        self.client_id = client_id
        self.on_connection = on_connection
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.where = f"mqtt://{self.address.host}:{self.address.port}"  # no credentials in logs

    def _client(self) -> aiomqtt.Client:
        return aiomqtt.Client(
            self.address.host,
            self.address.port,
            username=self.address.username,
            password=self.address.password,
            identifier=self.client_id,
            clean_session=self.client_id is None,
            keepalive=30,
        )

    async def messages(self) -> AsyncIterator[ReceivedMessage]:
        """Every upstream message, forever; broker loss means a logged wait and a reconnect."""
        delay = self.min_backoff
        while True:
            try:
                async with self._client() as client:
                    for topic_filter in self.filters:
                        await client.subscribe(topic_filter, qos=1)
                    log.info("MQTT: listening on %s for %s", self.where, ", ".join(self.filters))
                    self._tell(True)
                    delay = self.min_backoff
                    async for message in client.messages:
                        if not any(message.topic.matches(f) for f in self.filters):
                            # amqtt 0.12 also sends retained messages of others' subscriptions
                            log.debug("MQTT: ignoring %s, not subscribed", message.topic)
                            continue
                        yield ReceivedMessage(
                            str(message.topic), bytes(message.payload), bool(message.retain)
                        )
            except aiomqtt.MqttError as exc:
                self._tell(False)
                log.warning(
                    "MQTT broker %s unreachable or lost (%s); reconnecting in %.1f s",
                    self.where,
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    def _tell(self, connected: bool) -> None:
        if self.on_connection is not None:
            self.on_connection(connected)
