"""What the engine is shown: plain, frozen domain facts, never database rows or sessions.

The hub builds these from what it stored (so every fact carries its row id) and the engine
turns them into actions; keeping them plain is what lets rules be tested with a clock alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.domain import DeviceKind


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    site_id: int
    code: str
    kind: DeviceKind
    name: str = ""
    location: str = ""
    heartbeat_s: int = 300
    home_id: int | None = None
    building: str = ""  # building code, for rule scopes
    timezone: str = "Asia/Shanghai"  # the site's, for rule schedules


@dataclass(frozen=True)
class ReadingFact:
    """One stored value; booleans arrive as 1/0, short strings in `text` with `value` None."""

    id: int | None
    metric: str
    ts: datetime
    value: Decimal | None
    text: str | None = None


@dataclass(frozen=True)
class EventFact:
    id: int | None
    kind: str
    ts: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusChange:
    """The device's presence after a message; `reported` when a status message said so
    (e.g. the last will's `offline`), not inferred from ordinary traffic."""

    online: bool
    was_online: bool | None
    reported: bool


@dataclass(frozen=True)
class Observation:
    """Everything one message told about one device."""

    device: DeviceInfo
    readings: tuple[ReadingFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    status: StatusChange | None = None


@dataclass(frozen=True)
class Presence:
    """A device as the silence timer sees it: when it last spoke, and whether it is online."""

    device: DeviceInfo
    last_seen: datetime | None
    online: bool | None
