"""Equipment repairs for tests: the pump's alarm and its rule's order; a recorded repair."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import FailureCause, Priority, RepairRemedy, Severity
from hub.services import maintenance_records, work_orders
from hub.services.alerts import AlertRequest, raise_alert
from hub.services.maintenance_records import PartLine, RecordData
from hub.services.site import LoadResult
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import Device
from tests.support.work_orders import dispatch

PUMP_FAULT = "水泵故障 Pump fault"


def pump_order(context: HubContext, clock: FakeClock, site: LoadResult) -> int:
    """A rule's order on the pump's controller (pump-1, on asset WP-1), dispatched to `tech`."""
    with context.db.session() as session:
        pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
        order, _ = work_orders.open_work_order(
            session,
            WorkOrderRequest(site.site_id, "fault", Priority.HIGH, PUMP_FAULT, device_id=pump.id),
            now=clock.now(),
        )
        order_id = order.id
    dispatch(context, clock, order_id)
    return order_id


def pump_alarm_then_order(context: HubContext, clock: FakeClock, site: LoadResult) -> int:
    """The pump's fault alarm now, and 5 minutes later its order (`pump_order`)."""
    with context.db.session() as session:
        pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
        request = AlertRequest(
            site.site_id,
            "pump-fault",
            "pump-1/fault",
            Severity.MAJOR,
            PUMP_FAULT,
            "fault bit set",
            device_id=pump.id,
        )
        raise_alert(session, request, now=clock.now())
    clock.advance(timedelta(minutes=5))
    return pump_order(context, clock, site)


def repair(
    context: HubContext,
    clock: FakeClock,
    site_id: int,
    asset_id: int,
    parts: list[tuple[str, str]],
    other: str = "0",
    *,
    complete: bool = True,
) -> int:
    """An order on the asset, recorded with `parts` (quantity, unit price) and completed now."""
    with context.db.session() as session:
        order, _ = work_orders.open_work_order(
            session,
            WorkOrderRequest(site_id, "fault", Priority.NORMAL, "维修 Repair", asset_id=asset_id),
            now=clock.now(),
        )
        order_id = order.id
    tech = dispatch(context, clock, order_id)
    lines = [PartLine("配件 Part", Decimal(q), Decimal(p)) for q, p in parts]
    data = RecordData(
        FailureCause.WEAR, RepairRemedy.REPAIR, other_cost=Decimal(other), parts=lines
    )
    with context.db.session() as session:
        work_orders.start(session, order_id, by=tech, now=clock.now())
        order = work_orders.get_visible_or_raise(session, order_id, tech)
        maintenance_records.write(session, order, data, by=tech, now=clock.now())
        if complete:
            work_orders.complete(session, order_id, report="修好 Fixed", by=tech, now=clock.now())
    return order_id
