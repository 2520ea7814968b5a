"""The hub's command sender: publishes device commands at QoS 1 over one kept-open connection.

Broker errors become `ServiceUnavailable` at this boundary; the connection is dropped and made
again on the next publish, so the dispatcher only has to leave the command pending and retry.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import aiomqtt

from adapters.mqtt.url import TlsFiles, client_for, explain, hub_tls, parse_mqtt_url
from hub.errors import ServiceUnavailable


class CommandPublisher:
    """`await publisher.publish(topic, payload)`; `await publisher.close()` when done."""

    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        timeout_s: float = 10.0,
        tls: TlsFiles | None = None,
    ) -> None:
        """`tls`: the files for an mqtts URL; by default the hub's settings (HUB_MQTT_CA_FILE)."""
        self.address = parse_mqtt_url(url, hub_tls() if tls is None else tls)
        self.client_id = client_id
        self.timeout_s = timeout_s
        self._client: aiomqtt.Client | None = None

    async def _connected(self) -> aiomqtt.Client:
        if self._client is None:
            client = client_for(
                self.address,
                identifier=self.client_id,
                timeout=self.timeout_s,
            )
            await client.__aenter__()
            self._client = client
        return self._client

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Publish JSON at QoS 1 (not retained: a stale command must not replay on reconnect)."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        try:
            client = await self._connected()
            await client.publish(topic, body, qos=1, retain=False)
        except aiomqtt.MqttError as exc:
            await self.close()
            raise ServiceUnavailable(
                f"MQTT broker {self.address.where}: could not publish a command ({explain(exc)})"
            ) from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, RuntimeError):
                await client.__aexit__(None, None, None)
