"""Work orders for service tests: open one as a rule would, find staff, dispatch it."""

from __future__ import annotations

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Priority
from hub.services import work_orders
from hub.services.site import LoadResult
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import User


def open_order(
    context: HubContext,
    clock: FakeClock,
    site: LoadResult,
    *,
    category: str = "plumbing",
    priority: Priority = Priority.NORMAL,
) -> int:
    """A new order at the hub's time; its id."""
    with context.db.session() as session:
        order, _ = work_orders.open_work_order(
            session,
            WorkOrderRequest(site.site_id, category, priority, f"{priority.value} 报修 Repair"),
            now=clock.now(),
        )
        return order.id


def staff(context: HubContext, username: str) -> User:
    """An account of the sample site, detached from its session."""
    with context.db.session() as session:
        found = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(found)
        return found


def dispatch(context: HubContext, clock: FakeClock, order_id: int) -> User:
    """Customer service accepts the order and assigns it to `tech` now; returns the technician."""
    tech, service = staff(context, "tech"), staff(context, "service")
    with context.db.session() as session:
        work_orders.accept(session, order_id, by=service, now=clock.now())
        work_orders.assign(session, order_id, technician_id=tech.id, by=service, now=clock.now())
    return tech
