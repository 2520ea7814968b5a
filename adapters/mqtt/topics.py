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


UPSTREAM = (Channel.TELEMETRY, Channel.EVENT, Channel.STATUS)  # what devices publish on


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
        levels = f" ({len(parts)} levels, not 4)" if parts[0] == prefix else ""
        raise ValueError(f"topic {name!r} is not {prefix}/<site>/<device>/<channel>{levels}")
    _, site, device, channel = parts
    if not site or not device:
        raise ValueError(f"topic {name!r} has an empty site or device")
    try:
        return DeviceTopic(prefix, site, device, Channel(channel))
    except ValueError:
        raise ValueError(f"topic {name!r} has unknown channel {channel!r}") from None


@dataclass(frozen=True)
class Upstream:
    """What a hub worker subscribes to: everything under the prefix, or under `sites`' levels.

    Everything, not just the well-formed upstream topics: a topic with a level too many or too
    few must reach the hub to become a dead letter, or it is lost without a trace. The one
    exception is the downstream `command` channel: those are the hub's own commands to devices.
    """

    prefix: str
    sites: frozenset[str] | None = None

    def filters(self) -> list[str]:
        if self.sites is None:
            return [f"{self.prefix}/#"]
        return [f"{self.prefix}/{site}/#" for site in sorted(self.sites)]

    def matches(self, name: str) -> bool:
        """Whether a received topic is one of ours (cheap: it runs for every message)."""
        if name.endswith(_COMMAND) and name.count("/") == 3:
            return False  # downstream, sent by the hub itself
        if self.sites is None:
            return name.partition("/")[0] == self.prefix
        parts = name.split("/", 2)
        return len(parts) > 1 and parts[0] == self.prefix and parts[1] in self.sites


_COMMAND = f"/{Channel.COMMAND.value}"
