"""SLA escalation: an urgent work order unaccepted after 30 min alerts the supervisors, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Priority, Role
from hub.services import escalation, outbox, work_orders
from hub.services.alert_query import list_alerts
from hub.services.site import LoadResult
from hub.services.work_orders import ACCEPT_WITHIN, WorkOrderRequest
from hub.storage.models import OutboxMessage, User, WorkOrder


def open_order(context: HubContext, site: LoadResult, clock: FakeClock, priority: Priority) -> int:
    with context.db.session() as session:
        order, _ = work_orders.open_work_order(
            session,
            WorkOrderRequest(site.site_id, "plumbing", priority, f"{priority.value} 漏水 Leak"),
            now=clock.now(),
        )
        return order.id


def test_unaccepted_urgent_order_escalates_once(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    urgent = open_order(context, site, clock, Priority.URGENT)
    open_order(context, site, clock, Priority.NORMAL)  # not urgent: never escalated
    accepted = open_order(context, site, clock, Priority.URGENT)
    with context.db.session() as session:
        service = session.scalars(select(User).where(User.username == "service")).one()
        work_orders.accept(session, accepted, by=service, now=clock.now())
    clock.advance(ACCEPT_WITHIN - timedelta(seconds=1))
    with context.db.session() as session:
        assert escalation.check(session, now=clock.now()) == []
    clock.advance(timedelta(seconds=1))
    with context.db.session() as session:
        assert [o.id for o in escalation.check(session, now=clock.now())] == [urgent]
    clock.advance(timedelta(minutes=10))
    with context.db.session() as session:
        assert escalation.check(session, now=clock.now()) == []  # once
        shown = list_alerts(session)
        assert [(a.title, a.work_order_id) for a in shown] == [
            (f"紧急工单超时未受理 Urgent work order #{urgent} not accepted", urgent)
        ]
        rows = session.scalars(select(OutboxMessage)).all()
        recipients = session.scalars(select(User).where(User.id.in_(r.recipient_id for r in rows)))
        roles = {u.role for u in recipients}
        assert roles == {Role.ADMIN, Role.OPERATOR} and len(rows) == 2
        assert all(r.alert_id == shown[0].id for r in rows)
        order = session.get(WorkOrder, urgent)
        assert order is not None
        assert (
            work_orders.work_order_view(order)["escalated_at"]
            == (clock.now() - timedelta(minutes=10)).isoformat()
        )
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 2
