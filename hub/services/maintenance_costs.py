"""What repairs cost per asset over a period: the maintenance records of the orders completed in
it (for the analytics pages)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import WorkOrderStatus
from hub.services.maintenance_records import total_cost
from hub.storage.models import MaintenanceRecord, WorkOrder

DONE = (WorkOrderStatus.COMPLETED, WorkOrderStatus.CONFIRMED)


def maintenance_cost(
    session: Session, site_id: int, start: datetime, end: datetime
) -> dict[int, Decimal]:
    """Asset id -> the total cost (parts and other costs, to the fen) of its orders in the estate
    completed in [start, end); assets with no such order are absent. A repair sent back for
    rework counts once it is completed again."""
    rows = session.execute(
        select(WorkOrder.asset_id, MaintenanceRecord)
        .join(MaintenanceRecord, MaintenanceRecord.work_order_id == WorkOrder.id)
        .where(
            WorkOrder.site_id == site_id,
            WorkOrder.asset_id.is_not(None),
            WorkOrder.status.in_(DONE),
            WorkOrder.completed_at >= start,
            WorkOrder.completed_at < end,
        )
    )
    costs: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for asset_id, record in rows:
        costs[cast(int, asset_id)] += total_cost(record)  # the query keeps orders with one
    return dict(costs)
