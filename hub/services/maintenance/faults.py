"""A failed checklist item (a fail, or a value outside its limits) opens one fault work order
on the asset; the item keeps the order's id, and the order's dedup key names the task and item,
so checking the item again never opens a second."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.domain import Priority, WorkOrderSource
from hub.services import work_orders
from hub.services.billing.text import decimal_text
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import MaintenanceTask, MaintenanceTaskItem, WorkOrder

RULE_ID = "maintenance"


def dedup_key(task: MaintenanceTask, item: MaintenanceTaskItem) -> str:
    return f"{RULE_ID}:{task.id}:{item.position}"


def describe(item: MaintenanceTaskItem) -> str:
    """What failed, as the work order says it: the value and its limits, or a plain fail."""
    if item.value is None:
        return f"{item.label}: 不合格 failed"
    low = "" if item.min_value is None else decimal_text(item.min_value)
    high = "" if item.max_value is None else decimal_text(item.max_value)
    return f"{item.label}: {decimal_text(item.value)} {item.unit} 超出 outside [{low}, {high}]"


def open_fault(
    session: Session,
    task: MaintenanceTask,
    item: MaintenanceTaskItem,
    *,
    now: datetime,
) -> WorkOrder:
    """The fault order of a failed item, opened if it has none."""
    if item.work_order_id is not None:
        existing = session.get(WorkOrder, item.work_order_id)
        if existing is not None:
            return existing
    asset = task.asset
    order, _ = work_orders.open_work_order(
        session,
        WorkOrderRequest(
            site_id=task.site_id,
            category=task.plan.category,
            priority=Priority.NORMAL,
            title=f"保养发现故障 Maintenance fault: {asset.code} {item.label}"[:200],
            description=(
                f"{describe(item)}. 保养任务 Maintenance task #{task.id} ({task.title}), "
                f"item {item.position}. {item.note}"
            ).strip(),
            location=asset.location,
            source=WorkOrderSource.STAFF,
            dedup_key=dedup_key(task, item),
            rule_id=RULE_ID,
            asset_id=asset.id,
        ),
        now=now,
    )
    item.work_order_id = order.id
    return order
