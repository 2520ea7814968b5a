"""The shapes of an alarm that people see: one model for the REST API and the live feed.

`AlertOut` is what the list, the acknowledge/close answers and the live feed's `alert.*` events
carry (the feed dumps the same model to JSON), so a console can replace a row with an event's
data as it is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from hub.domain import (
    UNACKNOWLEDGED_ALERT_STATES,
    AlertEventKind,
    AlertState,
    DeviceKind,
    Severity,
    WorkOrderStatus,
)
from hub.storage.models import Alert, AlertEvent


class AlertOut(BaseModel):
    id: int
    site_id: int
    site_name: str
    rule_id: str
    severity: Severity
    title: str
    reason: str
    location: str
    device_id: int | None
    device_name: str | None
    device_kind: DeviceKind | None
    building_id: int | None
    building_name: str | None
    state: AlertState
    unacknowledged: bool = Field(description="nobody has acknowledged or closed it yet")
    raised_at: datetime
    last_seen_at: datetime
    occurrences: int
    reading_id: int | None
    work_order_id: int | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    acknowledged_by: str | None = Field(description="username")
    cleared_at: datetime | None
    cleared_by_id: int | None = Field(description="None: the condition cleared by itself")
    cleared_by: str | None = Field(description="username of whoever closed it")
    flapping: bool
    flap_count: int
    suppressed_by_id: int | None

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        device = alert.device
        return cls(
            id=alert.id,
            site_id=alert.site_id,
            site_name=alert.site.name,
            rule_id=alert.rule_id,
            severity=alert.severity,
            title=alert.title,
            reason=alert.reason,
            location=alert.location,
            device_id=alert.device_id,
            device_name=device.name if device else None,
            device_kind=device.kind if device else None,
            building_id=device.building_id if device else None,
            building_name=alert.building.name if alert.building else None,
            state=alert.state,
            unacknowledged=alert.state in UNACKNOWLEDGED_ALERT_STATES,
            raised_at=alert.raised_at,
            last_seen_at=alert.last_seen_at,
            occurrences=alert.occurrences,
            reading_id=alert.reading_id,
            work_order_id=alert.work_order_id,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by_id=alert.acknowledged_by_id,
            acknowledged_by=alert.acknowledged_by.username if alert.acknowledged_by else None,
            cleared_at=alert.cleared_at,
            cleared_by_id=alert.cleared_by_id,
            cleared_by=alert.cleared_by.username if alert.cleared_by else None,
            flapping=alert.flapping,
            flap_count=alert.flap_count,
            suppressed_by_id=alert.suppressed_by_id,
        )


def alert_view(alert: Alert) -> dict[str, Any]:
    """The JSON of `AlertOut`, for the live feed (the REST routes return the model)."""
    return AlertOut.of(alert).model_dump(mode="json")


class AlertEventOut(BaseModel):
    """A line of the history: `by` is None when the hub itself did it (raised, cleared)."""

    id: int
    alert_id: int
    kind: AlertEventKind
    at: datetime
    by: str | None = Field(description="username")
    by_name: str | None = Field(description="full name")
    note: str
    work_order_id: int | None

    @classmethod
    def of(cls, event: AlertEvent) -> AlertEventOut:
        return cls(
            id=event.id,
            alert_id=event.alert_id,
            kind=event.kind,
            at=event.at,
            by=event.by.username if event.by else None,
            by_name=event.by.full_name if event.by else None,
            note=event.note,
            work_order_id=event.work_order_id,
        )


class ReadingOut(BaseModel):
    metric: str
    ts: datetime
    value: Decimal | None
    text: str | None


class AlertDeviceOut(BaseModel):
    id: int
    code: str
    name: str
    kind: DeviceKind
    online: bool | None
    last_seen_at: datetime | None


class PlaceOut(BaseModel):
    """Where the device is: estate, building and home (each None if not known)."""

    site_id: int
    site_name: str
    building_id: int | None
    building_name: str | None
    home_id: int | None
    home_code: str | None
    location: str


class LinkedWorkOrderOut(BaseModel):
    id: int
    title: str
    status: WorkOrderStatus
    assigned_to: str | None = Field(description="username of the technician")


class AlertDetailOut(BaseModel):
    alert: AlertOut
    device: AlertDeviceOut | None
    place: PlaceOut
    readings: list[ReadingOut] = Field(description="the device's readings around the raise")
    readings_from: datetime
    readings_to: datetime
    history: list[AlertEventOut]
    work_order: LinkedWorkOrderOut | None = Field(
        description="None if none is linked, or the reader may not read work orders"
    )
