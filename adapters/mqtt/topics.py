"""The topic contract: `{prefix}/{site}/{device}/{channel}`.

Channels: `telemetry` (readings), `event` (discrete events: scans, swipes), `status` (retained
"online"/"offline", set by the device's last will), `command` (down to the device).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    TELEMETRY = "telemetry"
    EVENT = "event"
    STATUS = "status"
    COMMAND = "command"


UPSTREAM = (Channel.TELEMETRY, Channel.EVENT, Channel.STATUS)


@dataclass(frozen=True)
class DeviceTopic:
    prefix: str
    site: str
    device: str
    channel: Channel

    def __str__(self) -> str:
        return f"{self.prefix}/{self.site}/{self.device}/{self.channel.value}"


def topic(prefix: str, site: str, device: str, channel: Channel) -> str:
    return str(DeviceTopic(prefix, site, device, channel))


def parse_topic(prefix: str, name: str) -> DeviceTopic:
    """Split a topic; `ValueError` with the reason when it does not follow the contract."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != prefix:
        raise ValueError(f"topic {name!r} is not {prefix}/<site>/<device>/<channel>")
    _, site, device, channel = parts
    if not site or not device:
        raise ValueError(f"topic {name!r} has an empty site or device")
    try:
        return DeviceTopic(prefix, site, device, Channel(channel))
    except ValueError:
        raise ValueError(f"topic {name!r} has unknown channel {channel!r}") from None


@dataclass(frozen=True)
class Upstream:
    """What a hub worker subscribes to: every site's upstream channels, or only `sites`'."""

    prefix: str
    sites: frozenset[str] | None = None

    def filters(self) -> list[str]:
        sites = ["+"] if self.sites is None else sorted(self.sites)
        return [f"{self.prefix}/{site}/+/{channel.value}" for site in sites for channel in UPSTREAM]

    def matches(self, name: str) -> bool:
        """Whether a received topic is one of ours (cheap: it runs for every message)."""
        parts = name.split("/")
        return (
            len(parts) == 4
            and parts[0] == self.prefix
            and parts[3] in _UPSTREAM_NAMES
            and (self.sites is None or parts[1] in self.sites)
        )


_UPSTREAM_NAMES = frozenset(channel.value for channel in UPSTREAM)
