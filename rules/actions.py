"""What a rule decides, as data: the hub applies these; the engine never touches storage.

Every action names its rule, device, the reading behind it (when there is one), a human reason
and the dedup key `"{rule_id}:{device_id}"` that keeps one open work order and one active alert
per rule and device however often the condition repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain import Priority, Severity


def dedup_key(rule_id: str, device_id: int) -> str:
    return f"{rule_id}:{device_id}"


@dataclass(frozen=True)
class OpenWorkOrder:
    rule_id: str
    device_id: int
    site_id: int
    reading_id: int | None
    reason: str
    category: str
    priority: Priority
    title: str
    location: str = ""
    home_id: int | None = None
    repeat: bool = False  # the condition still holds (already fired, not cleared since)

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.rule_id, self.device_id)


@dataclass(frozen=True)
class RaiseAlert:
    rule_id: str
    device_id: int
    site_id: int
    reading_id: int | None
    reason: str
    severity: Severity
    title: str
    location: str = ""
    repeat: bool = False  # the condition still holds (already fired, not cleared since)

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.rule_id, self.device_id)


@dataclass(frozen=True)
class ClearAlert:
    """The condition is gone: clear the rule's active alert for the device (work orders stay)."""

    rule_id: str
    device_id: int
    reading_id: int | None
    reason: str

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.rule_id, self.device_id)


Action = OpenWorkOrder | RaiseAlert | ClearAlert


@dataclass(frozen=True)
class Notify:
    """Tell people: staff by role or username, and/or the owners of every home of a building.

    Applied once per firing (when the rule's alert or work order is new, or every time for a
    rule with neither); delivered from the outbox by the dispatcher.
    """

    rule_id: str
    device_id: int
    site_id: int
    reason: str
    title: str
    body: str = ""
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    building_owners: str | None = None  # a building code, e.g. "B1" for a water shut-off

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.rule_id, self.device_id)


@dataclass(frozen=True)
class SendCommand:
    """Send a device a command over MQTT; it must answer with an "ack" event in time."""

    rule_id: str
    device_id: int
    site_id: int
    reason: str
    command: str
    params: tuple[tuple[str, str | int | float | bool], ...] = ()
    timeout_s: int = 30

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.rule_id, self.device_id)


AnyAction = Action | Notify | SendCommand
