"""The SLA escalation ladder: every open order and every clock past due goes to the supervisors
at the breach and to the manager `manager_after` later, each step once (restarts included)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Priority, Role
from hub.services import escalation, outbox, work_orders
from hub.services.alert_query import list_alerts
from hub.services.escalation import Fired
from hub.services.site import LoadResult
from hub.services.sla_policy import ClockName
from hub.services.work_order_views import WorkOrderOut
from hub.storage.models import OutboxMessage, User, WorkOrder, WorkOrderEscalation
from tests.support.work_orders import dispatch, open_order, staff

MINUTE = timedelta(minutes=1)


def run(context: HubContext, clock: FakeClock) -> list[Fired]:
    """One dispatcher pass, in its own transaction as the dispatcher runs it."""
    with context.db.session() as session:
        return escalation.check(session, now=clock.now())


def notified_roles(context: HubContext) -> list[set[Role]]:
    """The roles each outbox notification reached, one set per alert's batch, oldest first."""
    with context.db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        batches: dict[tuple[int | None, str], set[Role]] = {}
        for row in rows:
            recipient = session.get(User, row.recipient_id)
            assert recipient is not None
            batches.setdefault((row.alert_id, row.body), set()).add(recipient.role)
        return list(batches.values())


def test_a_normal_request_unaccepted_climbs_the_ladder_once_per_step(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """The issue's owner request, unescalated after 5 hours: now supervisors at 30 min, the
    manager at 30 min + 1 h (the default policy's manager_after), and never again."""
    normal = open_order(context, clock, site)
    accepted = open_order(context, clock, site)
    with context.db.session() as session:
        work_orders.accept(session, accepted, by=staff(context, "service"), now=clock.now())
    clock.advance(30 * MINUTE - timedelta(seconds=1))
    assert run(context, clock) == []
    clock.advance(timedelta(seconds=1))
    assert run(context, clock) == [Fired(normal, ClockName.ACCEPT, 1)]
    assert run(context, clock) == []  # a second pass does not repeat it
    assert notified_roles(context) == [{Role.OPERATOR, Role.CUSTOMER_SERVICE}]
    clock.advance(60 * MINUTE - timedelta(seconds=1))
    assert run(context, clock) == []
    clock.advance(timedelta(seconds=1))
    assert run(context, clock) == [Fired(normal, ClockName.ACCEPT, 2)]
    clock.advance(4 * 60 * MINUTE)  # the five hours
    assert run(context, clock) == []
    assert notified_roles(context) == [{Role.OPERATOR, Role.CUSTOMER_SERVICE}, {Role.ADMIN}]
    with context.db.session() as session:
        [alert] = list_alerts(session)
        assert alert.title == f"工单超时 Work order #{normal} 受理 accept overdue"
        assert alert.work_order_id == normal
        order = session.get(WorkOrder, normal)
        assert order is not None
        shown = WorkOrderOut.of(order, now=clock.now())
        accept = shown.clocks[0]
        assert (accept.name, accept.breached, accept.escalation_level) == ("accept", True, 2)
        assert shown.escalated_at == clock.now() - timedelta(hours=4, minutes=60)
        notes = [e.note for e in work_orders.history(session, order) if "超时升级" in e.note]
        assert notes == [
            "超时升级 Escalated (1): 受理 accept 超时 0 min late -> 主管 supervisors",
            "超时升级 Escalated (2): 受理 accept 超时 60 min late -> 经理 manager",
        ]
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 3  # 2 + the admin


def test_a_restart_that_lost_memory_does_not_repeat_a_step(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """The steps fired are rows in the database, not the dispatcher's memory: a fresh hub
    context (a restarted process) on the same database fires nothing twice."""
    order_id = open_order(context, clock, site, priority=Priority.URGENT)
    clock.advance(31 * MINUTE)
    assert run(context, clock) == [Fired(order_id, ClockName.ACCEPT, 1)]
    restarted = HubContext.from_settings(context.settings, clock)
    try:
        assert run(restarted, clock) == []
        clock.advance(30 * MINUTE)  # the urgent policy's manager_after is 30 min
        assert run(restarted, clock) == [Fired(order_id, ClockName.ACCEPT, 2)]
        assert run(context, clock) == []
    finally:
        restarted.db.dispose()
    with context.db.session() as session:
        steps = session.scalars(select(WorkOrderEscalation.step)).all()
        assert sorted(steps) == [1, 2]


def test_each_clock_of_an_assigned_order_escalates_on_its_own(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """Contact (30 min) and arrive (2 h) run from the assignment; a met clock never escalates."""
    order_id = open_order(context, clock, site)
    tech = dispatch(context, clock, order_id)
    clock.advance(30 * MINUTE)
    assert run(context, clock) == [Fired(order_id, ClockName.CONTACT, 1)]
    with context.db.session() as session:
        work_orders.contact_owner(session, order_id, note="电话 phoned", by=tech, now=clock.now())
    clock.advance(60 * MINUTE)  # contact is met: its step 2 never comes
    assert run(context, clock) == []
    clock.advance(30 * MINUTE)
    assert run(context, clock) == [Fired(order_id, ClockName.ARRIVE, 1)]
    with context.db.session() as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        levels = {
            c.name: c.escalation_level for c in WorkOrderOut.of(order, now=clock.now()).clocks
        }
        assert levels == {"accept": 0, "contact": 1, "arrive": 1, "complete": 0}


def test_a_paused_order_does_not_escalate(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    order_id = open_order(context, clock, site)
    tech = dispatch(context, clock, order_id)
    clock.advance(10 * MINUTE)
    with context.db.session() as session:
        work_orders.pause(session, order_id, note="业主不在家 owner away", by=tech, now=clock.now())
    clock.advance(5 * 60 * MINUTE)
    assert run(context, clock) == []
    with context.db.session() as session:
        work_orders.resume(session, order_id, by=tech, now=clock.now())
    clock.advance(20 * MINUTE - timedelta(seconds=1))
    assert run(context, clock) == []
    clock.advance(timedelta(seconds=1))  # 10 + 20 running minutes: the contact clock is due
    assert run(context, clock) == [Fired(order_id, ClockName.CONTACT, 1)]


@pytest.mark.postgresql
def test_two_hub_processes_at_the_same_order_fire_a_step_once(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """With several `hub run` workers, the one escalating an order holds its row; the other
    skips it, and once the first commits it sees the step recorded."""
    order_id = open_order(context, clock, site)
    clock.advance(31 * MINUTE)
    with context.db.session() as first:
        assert escalation.check(first, now=clock.now()) == [Fired(order_id, ClockName.ACCEPT, 1)]
        with context.db.session() as second:
            assert escalation.check(second, now=clock.now()) == []  # locked: skipped
    assert run(context, clock) == []
    assert notified_roles(context) == [{Role.OPERATOR, Role.CUSTOMER_SERVICE}]
