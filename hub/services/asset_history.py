"""An asset's repair history: its work orders (with their maintenance records), and one
time-ordered timeline of the alarms its devices raised and its orders opened and completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.domain import Severity, WorkOrderStatus
from hub.errors import BadRange
from hub.storage.models import Alert, Device, WorkOrder


class TimelineKind(StrEnum):
    ALARM_RAISED = "alarm_raised"
    ORDER_OPENED = "order_opened"
    ORDER_COMPLETED = "order_completed"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: TimelineKind
    title: str
    alert_id: int | None = None
    work_order_id: int | None = None
    severity: Severity | None = None
    status: WorkOrderStatus | None = None


def orders_of(session: Session, asset_id: int) -> list[WorkOrder]:
    """The asset's work orders, newest first."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(WorkOrder.asset_id == asset_id)
            .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        )
    )


def timeline(
    session: Session, asset_id: int, *, start: datetime, end: datetime
) -> list[TimelineEntry]:
    """Alarms of the devices linked to the asset now, and its orders opened or completed, in
    [start, end] (both included), oldest first."""
    if start >= end:
        raise BadRange
    devices = select(Device.id).where(Device.asset_id == asset_id)
    alarms = session.scalars(
        select(Alert).where(
            Alert.device_id.in_(devices), Alert.raised_at >= start, Alert.raised_at <= end
        )
    )
    entries = [
        TimelineEntry(a.raised_at, TimelineKind.ALARM_RAISED, a.title, a.id, severity=a.severity)
        for a in alarms
    ]
    orders = session.scalars(
        select(WorkOrder).where(
            WorkOrder.asset_id == asset_id,
            or_(
                WorkOrder.created_at.between(start, end),
                WorkOrder.completed_at.between(start, end),
            ),
        )
    )
    for order in orders:
        for kind, at in (
            (TimelineKind.ORDER_OPENED, order.created_at),
            (TimelineKind.ORDER_COMPLETED, order.completed_at),
        ):
            if at is not None and start <= at <= end:
                entries.append(
                    TimelineEntry(
                        at, kind, order.title, work_order_id=order.id, status=order.status
                    )
                )
    return sorted(entries, key=lambda e: (e.at, e.kind != TimelineKind.ALARM_RAISED))
