"""One alarm in full, for the detail view: the device and where it is, the device's readings
around the raise (for the chart), who did what, and the linked work order."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.live_visibility import WORK_ORDER_READERS
from hub.services import alert_history
from hub.services.alert_views import (
    AlertDetailOut,
    AlertDeviceOut,
    AlertEventOut,
    AlertOut,
    LinkedWorkOrderOut,
    PlaceOut,
    ReadingOut,
)
from hub.services.alerts import get_or_raise
from hub.storage.models import Alert, Building, Home, Reading, Site, User, WorkOrder

AROUND = timedelta(hours=2)  # the chart shows this much either side of the raise
MAX_READINGS = 5000


def detail(session: Session, alert_id: int, reader: User) -> AlertDetailOut:
    alert = get_or_raise(session, alert_id)
    start, end = alert.raised_at - AROUND, alert.raised_at + AROUND
    device = alert.device
    return AlertDetailOut(
        alert=AlertOut.of(alert),
        device=None
        if device is None
        else AlertDeviceOut(
            id=device.id,
            code=device.code,
            name=device.name,
            kind=device.kind,
            online=device.online,
            last_seen_at=device.last_seen_at,
        ),
        place=_place(session, alert),
        readings=_readings(session, alert, start, end),
        readings_from=start,
        readings_to=end,
        history=[AlertEventOut.of(e) for e in alert_history.history(session, alert)],
        work_order=_work_order(session, alert, reader),
    )


def _place(session: Session, alert: Alert) -> PlaceOut:
    site = session.get(Site, alert.site_id)
    device = alert.device
    building = session.get(Building, device.building_id) if device and device.building_id else None
    home = session.get(Home, device.home_id) if device and device.home_id else None
    return PlaceOut(
        site_id=alert.site_id,
        site_name=site.name if site else "",
        building_id=building.id if building else None,
        building_name=building.name if building else None,
        home_id=home.id if home else None,
        home_code=home.code if home else None,
        location=alert.location or (device.location if device else ""),
    )


def _readings(session: Session, alert: Alert, start: datetime, end: datetime) -> list[ReadingOut]:
    if alert.device_id is None:
        return []
    rows = session.scalars(
        select(Reading)
        .where(Reading.device_id == alert.device_id, Reading.ts >= start, Reading.ts <= end)
        .order_by(Reading.ts)
        .limit(MAX_READINGS)
    )
    return [ReadingOut(metric=r.metric, ts=r.ts, value=r.value, text=r.text) for r in rows]


def _work_order(session: Session, alert: Alert, reader: User) -> LinkedWorkOrderOut | None:
    """The linked order, for those who may read work orders (a guard sees only its id)."""
    if alert.work_order_id is None or reader.role not in WORK_ORDER_READERS:
        return None
    order = session.get(WorkOrder, alert.work_order_id)
    return None if order is None else linked_work_order(session, order)


def linked_work_order(session: Session, order: WorkOrder) -> LinkedWorkOrderOut:
    technician = session.get(User, order.assigned_to_id) if order.assigned_to_id else None
    return LinkedWorkOrderOut(
        id=order.id,
        title=order.title,
        status=order.status,
        assigned_to=technician.username if technician else None,
    )
