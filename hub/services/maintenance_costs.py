"""What repairs cost per asset over a period: the maintenance records of the orders completed in
it (for the analytics pages)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import WorkOrderStatus
from hub.services.maintenance_records import total_cost
from hub.storage.models import MaintenanceRecord, WorkOrder

DONE = (WorkOrderStatus.COMPLETED, WorkOrderStatus.CONFIRMED)


def completed_records(
    session: Session, site_id: int, start: datetime, end: datetime
) -> list[tuple[WorkOrder, MaintenanceRecord]]:
    """The estate's orders completed in [start, end) with their maintenance records. A repair
    sent back for rework counts once it is completed again."""
    rows = session.execute(
        select(WorkOrder, MaintenanceRecord)
        .join(MaintenanceRecord, MaintenanceRecord.work_order_id == WorkOrder.id)
        .where(
            WorkOrder.site_id == site_id,
            WorkOrder.status.in_(DONE),
            WorkOrder.completed_at >= start,
            WorkOrder.completed_at < end,
        )
    )
    return [(order, record) for order, record in rows]


def maintenance_cost(
    session: Session, site_id: int, start: datetime, end: datetime
) -> dict[int, Decimal]:
    """Asset id -> the total cost (parts and other costs, to the fen) of its orders in the estate
    completed in [start, end); assets with no such order are absent."""
    costs: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for order, record in completed_records(session, site_id, start, end):
        if order.asset_id is not None:
            costs[order.asset_id] += total_cost(record)
    return dict(costs)
