"""An asset's repair history: its work orders with their maintenance records, and the timeline
of its devices' alarms and its orders. Read by those who read the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import ContextDep, SessionDep
from api.params import ObjectId
from api.routers.assets import Reader
from hub.domain import Priority, Severity, WorkOrderStatus
from hub.services import asset_history, assets, maintenance_records, read_audit
from hub.services.asset_history import TimelineKind
from hub.services.maintenance_record_views import MaintenanceRecordOut
from hub.services.person_views import PersonRef
from hub.services.work_order_views import order_number

router = APIRouter(prefix="/assets", tags=["assets"])

DEFAULT_SPAN = timedelta(days=365)


class AssetWorkOrderOut(BaseModel):
    id: int
    number: str = Field(description="工单号")
    title: str
    category: str
    priority: Priority
    status: WorkOrderStatus
    created_at: datetime
    completed_at: datetime | None
    confirmed_at: datetime | None
    assignee: PersonRef | None
    record: MaintenanceRecordOut | None


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: TimelineKind
    title: str
    alert_id: int | None
    work_order_id: int | None
    severity: Severity | None = Field(description="an alarm's")
    status: WorkOrderStatus | None = Field(description="a work order's, now")


@router.get("/{asset_id}/work-orders")
def asset_work_orders(
    asset_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> list[AssetWorkOrderOut]:
    """The asset's repairs, newest first, each with its maintenance record."""
    assets.get_or_raise(session, asset_id)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"asset:{asset_id}", detail="work orders"
    )
    found = []
    for order in asset_history.orders_of(session, asset_id):
        record = maintenance_records.record_of(session, order.id)
        found.append(
            AssetWorkOrderOut(
                id=order.id,
                number=order_number(order),
                title=order.title,
                category=order.category,
                priority=order.priority,
                status=order.status,
                created_at=order.created_at,
                completed_at=order.completed_at,
                confirmed_at=order.confirmed_at,
                assignee=PersonRef.of(order.assignee) if order.assignee else None,
                record=MaintenanceRecordOut.of(record) if record else None,
            )
        )
    return found


@router.get("/{asset_id}/timeline")
def asset_timeline(
    asset_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    _: Reader,
    since: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="included; `to` - 365 days if none"),
    ] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description="included; now")] = None,
) -> list[TimelineEntryOut]:
    """Alarms raised by the asset's devices and its orders opened and completed, oldest first."""
    assets.get_or_raise(session, asset_id)
    end = until or context.clock.now()
    start = since or end - DEFAULT_SPAN
    entries = asset_history.timeline(session, asset_id, start=start, end=end)
    return [TimelineEntryOut(**vars(e)) for e in entries]
