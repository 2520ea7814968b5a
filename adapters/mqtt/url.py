"""`mqtt://host:port` URLs, as given in HUB_MQTT_URL, and the aiomqtt client for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiomqtt

from hub.redact import redact_url


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(url: str) -> BrokerAddress:
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
        raise ValueError(f"MQTT URL {redact_url(url)!r} is not mqtt://host:port")
    return BrokerAddress(parsed.hostname, parsed.port or 1883, parsed.username, parsed.password)


def client_for(address: BrokerAddress, **options: Any) -> aiomqtt.Client:
    """An aiomqtt client for `address` (host, port, credentials) with the caller's options."""
    return aiomqtt.Client(
        address.host,
        address.port,
        username=address.username,
        password=address.password,
        **options,
    )
