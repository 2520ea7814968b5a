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
