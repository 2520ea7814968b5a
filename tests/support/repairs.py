"""Equipment repairs for the maintenance-record tests: the pump's alarm and its rule's order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Priority, Severity
from hub.services import work_orders
from hub.services.alerts import AlertRequest, raise_alert
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
