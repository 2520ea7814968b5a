"""From an alarm to a repair: create a fault work order for it, or link one that is open.

The order is opened the way a rule opens one (`work_orders.open_work_order`, with the alarm's
dedup key), so if the rule's own order for that device is still open the alarm is linked to it
rather than getting a second one. Its priority follows the alarm's severity.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub import events
from hub.domain import (
    OPEN_WORK_ORDER_STATES,
    AlertEventKind,
    DeviceKind,
    Priority,
    Severity,
    WorkOrderSource,
)
from hub.errors import InvalidTransition
from hub.services import alert_history, work_orders
from hub.services.alert_views import alert_view
from hub.services.alerts import get_or_raise
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import Alert, User, WorkOrder

PRIORITY_OF = {
    Severity.CRITICAL: Priority.URGENT,
    Severity.MAJOR: Priority.HIGH,
    Severity.MINOR: Priority.NORMAL,
    Severity.WARNING: Priority.LOW,
}
_PLUMBING = frozenset({DeviceKind.LEAK_SENSOR, DeviceKind.WATER_METER, DeviceKind.PUMP})


def work_order_for(
    session: Session,
    alert_id: int,
    *,
    existing_order_id: int | None,
    note: str,
    by: User,
    now: datetime,
) -> tuple[Alert, WorkOrder, bool]:
    """The alarm, its work order, and whether the order is new.

    With `existing_order_id` that open order is linked; without, the alarm's open order is kept,
    or a fault order is opened for it.
    """
    alert = get_or_raise(session, alert_id)
    if existing_order_id is not None:
        order, new = work_orders.get_visible_or_raise(session, existing_order_id, by), False
        if order.status not in OPEN_WORK_ORDER_STATES:
            raise InvalidTransition(f"work order {order.id} is {order.status.value}: not open")
    else:
        current = session.get(WorkOrder, alert.work_order_id) if alert.work_order_id else None
        if current is not None and current.status in OPEN_WORK_ORDER_STATES:
            return alert, current, False
        order, new = work_orders.open_work_order(session, _fault_order(alert, note), now=now)
    if alert.work_order_id == order.id:
        return alert, order, False
    alert.work_order_id = order.id
    alert_history.record(
        session, alert, AlertEventKind.LINKED, now=now, by=by, note=note, work_order_id=order.id
    )
    events.emit(session, "alert.updated", alert_view(alert))
    return alert, order, new


def _fault_order(alert: Alert, note: str) -> WorkOrderRequest:
    device = alert.device
    plumbing = device is not None and device.kind in _PLUMBING
    return WorkOrderRequest(
        site_id=alert.site_id,
        category="plumbing" if plumbing else "device",
        priority=PRIORITY_OF[alert.severity],
        title=f"{alert.title}: {alert.location}" if alert.location else alert.title,
        description="\n".join(part for part in (alert.reason, note) if part),
        location=alert.location,
        source=WorkOrderSource.STAFF,
        dedup_key=alert.dedup_key,
        rule_id=alert.rule_id,
        device_id=alert.device_id,
        home_id=device.home_id if device else None,
        reading_id=alert.reading_id,
    )
