"""`mqtt://host:port` URLs, as given in HUB_MQTT_URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(url: str) -> BrokerAddress:
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
        raise ValueError(f"MQTT URL {url!r} is not mqtt://host:port")
    return BrokerAddress(parsed.hostname, parsed.port or 1883, parsed.username, parsed.password)
