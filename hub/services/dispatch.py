"""Dispatch (派单): the technicians an order may go to, on-duty ones first, with their load; and
the duty roster's pick for a new order, the least loaded technician on duty, or the supervisors
told when nobody is on duty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.domain import Role
from hub.services import duty, outbox, sla_policy, users, work_orders
from hub.services.person_views import PersonRef
from hub.services.work_order_views import CandidateOut
from hub.storage.models import User, WorkOrder

NOBODY_ON_DUTY = "nobody-on-duty"


def _building_of(order: WorkOrder) -> int | None:
    return (
        order.home.building_id if order.home else order.device.building_id if order.device else None
    )


def candidates(session: Session, order: WorkOrder, *, now: datetime) -> list[CandidateOut]:
    """Active technicians: the roster's pick (the least loaded on duty, as a new order gets),
    then others on duty, then by fewest open orders and name."""
    on_duty = _on_duty(session, order, now)
    technicians = users.list_staff(session, role=Role.TECHNICIAN)
    counts = work_orders.open_order_counts(session, [t.id for t in technicians])
    pick = _least_loaded(on_duty, counts)
    covered = {t.id for t in on_duty}
    found = [
        CandidateOut(
            technician=PersonRef.of(tech),
            on_duty=tech.id in covered,
            suggested=pick is not None and tech.id == pick.id,
            open_orders=counts.get(tech.id, 0),
        )
        for tech in technicians
    ]
    found.sort(key=lambda c: (not c.suggested, not c.on_duty, c.open_orders, c.technician.username))
    return found


def least_loaded_on_duty(session: Session, order: WorkOrder, *, now: datetime) -> User | None:
    """The technician on duty for the order with the fewest open orders."""
    on_duty = _on_duty(session, order, now)
    return _least_loaded(on_duty, work_orders.open_order_counts(session, [t.id for t in on_duty]))


def _on_duty(session: Session, order: WorkOrder, now: datetime) -> list[User]:
    return duty.on_duty_technicians(
        session,
        site_id=order.site_id,
        category=order.category,
        building_id=_building_of(order),
        now=now,
    )


def _least_loaded(on_duty: list[User], counts: dict[int, int]) -> User | None:
    """Fewest open orders; on a tie, the one whose shift wins (building-specific, then the
    earliest listed): `min` keeps the first of equals."""
    return min(on_duty, key=lambda t: counts.get(t.id, 0)) if on_duty else None


def assign_from_roster(session: Session, order: WorkOrder, *, now: datetime) -> User | None:
    """An owner's request (or a phone-in) goes to the least loaded technician on duty, as a
    rule-opened order does; with nobody on duty, the supervisors are told to dispatch it."""
    technician = least_loaded_on_duty(session, order, now=now)
    if technician is not None:
        work_orders.auto_assign(session, order, technician, now=now)
        return technician
    outbox.notify(
        session,
        site_id=order.site_id,
        recipients=outbox.Recipients(roles=tuple(sla_policy.current().supervisors)),
        title=f"无人值班，请派单 Nobody on duty: #{order.id} {order.title}"[:200],
        body=f"{order.category} · {order.location}",
        source=NOBODY_ON_DUTY,
        now=now,
    )
    return None
