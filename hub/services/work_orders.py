"""Work orders (工单): opened by rules, owners or staff; moved step by step, never skipping.

The flow of 物业云平台制度 二(三)2: submitted -> accepted (customer service, within 30 min) ->
assigned (to a technician) -> in progress -> completed (with a report) -> confirmed and rated
by the owner. Urgent rule-raised orders (a leak) are marked urgent at once.

A rule's order links to its alarm (the alarm's `work_order_id`). Closing it (completed or
confirmed) while that alarm is still active re-raises: a new order, linked to the same alarm and
to the one it follows (`reopened_from_id`), because the condition still holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.crypto import mask
from hub.domain import (
    ACTIVE_ALERT_STATES,
    OPEN_WORK_ORDER_STATES,
    Priority,
    Role,
    WorkOrderSource,
    WorkOrderStatus,
    check_work_order_move,
)
from hub.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.users import owner_home_ids
from hub.storage.models import Alert, Home, User, WorkOrder, WorkOrderEvent

ACCEPT_WITHIN = timedelta(minutes=30)


@dataclass(frozen=True)
class WorkOrderRequest:
    """A work order a rule or service wants opened; `dedup_key` keeps it to one while open."""

    site_id: int
    category: str
    priority: Priority
    title: str
    description: str = ""
    location: str = ""
    source: WorkOrderSource = WorkOrderSource.RULE
    dedup_key: str | None = None
    rule_id: str | None = None
    device_id: int | None = None
    home_id: int | None = None
    reading_id: int | None = None


def find_open(session: Session, dedup_key: str) -> WorkOrder | None:
    return session.scalars(
        select(WorkOrder).where(
            WorkOrder.dedup_key == dedup_key, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)
        )
    ).one_or_none()


def open_work_order(
    session: Session, request: WorkOrderRequest, *, now: datetime
) -> tuple[WorkOrder, bool]:
    """The open work order for the dedup key, created if none; True when new."""
    if request.dedup_key is not None:
        existing = find_open(session, request.dedup_key)
        if existing is not None:
            return existing, False
    order = WorkOrder(
        site_id=request.site_id,
        source=request.source,
        category=request.category,
        priority=request.priority,
        title=request.title,
        description=request.description,
        location=request.location,
        status=WorkOrderStatus.SUBMITTED,
        dedup_key=request.dedup_key,
        rule_id=request.rule_id,
        device_id=request.device_id,
        home_id=request.home_id,
        reading_id=request.reading_id,
        created_at=now,
    )
    session.add(order)
    session.flush()
    _log(session, order, by=None, now=now, note=request.description)
    events.emit(session, "work_order.opened", work_order_view(order))
    return order, True


def submit_owner_request(
    session: Session,
    *,
    owner: User,
    home_id: int,
    category: str,
    title: str,
    description: str,
    contact: str | None,
    photo_path: str | None,
    now: datetime,
) -> WorkOrder:
    """An owner's repair request (报修) for one of their own homes."""
    if home_id not in owner_home_ids(session, owner):
        raise NotFound(f"home {home_id} not found")
    home = session.get(Home, home_id)
    assert home is not None
    order, _ = open_work_order(
        session,
        WorkOrderRequest(
            site_id=_site_of_home(home),
            category=category,
            priority=Priority.NORMAL,
            title=title,
            description=description,
            location=f"{home.building.code}/{home.code}",
            source=WorkOrderSource.OWNER,
            home_id=home_id,
        ),
        now=now,
    )
    order.requested_by_id = owner.id
    order.contact = contact
    order.photo_path = photo_path
    session.flush()
    return order


def _site_of_home(home: Home) -> int:
    return home.building.site_id


def get_visible_or_raise(session: Session, order_id: int, user: User) -> WorkOrder:
    """The work order if `user` may see it, by the same rule as their list (`list_for`)."""
    query = select(WorkOrder).where(WorkOrder.id == order_id)
    readable = _readable_by(session, user)
    if readable is not None:
        query = query.where(readable)
    order = session.scalars(query).one_or_none()
    if order is None:
        raise NotFound(f"work order {order_id} not found")
    return order


def _readable_by(session: Session, user: User) -> ColumnElement[bool] | None:
    """Which orders `user` may read, as a condition; None for staff who read every order.

    An owner reads their own requests and their homes' orders; a technician only the orders
    assigned to them now (least privilege: a reassigned order leaves with its new assignee).
    """
    if user.role is Role.OWNER:
        homes = owner_home_ids(session, user)
        return or_(WorkOrder.requested_by_id == user.id, WorkOrder.home_id.in_(homes))
    if user.role is Role.TECHNICIAN:
        return WorkOrder.assigned_to_id == user.id
    return None


def list_for(session: Session, user: User, *, open_only: bool = False) -> list[WorkOrder]:
    """Newest first: an owner's own, a technician's assigned, everything for other staff."""
    query = select(WorkOrder).order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
    readable = _readable_by(session, user)
    if readable is not None:
        query = query.where(readable)
    if open_only:
        query = query.where(WorkOrder.status.in_(OPEN_WORK_ORDER_STATES))
    return list(session.scalars(query.limit(500)))


def accept(session: Session, order_id: int, *, by: User, now: datetime) -> WorkOrder:
    order = _move(session, order_id, WorkOrderStatus.ACCEPTED, by=by, now=now)
    order.accepted_at = now
    return order


def assign(
    session: Session, order_id: int, *, technician_id: int, by: User, now: datetime
) -> WorkOrder:
    technician = session.get(User, technician_id)
    if technician is None or technician.role is not Role.TECHNICIAN or not technician.active:
        raise InvalidInput(f"user {technician_id} is not an active technician")
    order = _move(
        session,
        order_id,
        WorkOrderStatus.ASSIGNED,
        by=by,
        now=now,
        note=f"assigned to {technician.username}",
    )
    order.assigned_to_id = technician.id
    order.assigned_at = now
    return order


def start(session: Session, order_id: int, *, by: User, now: datetime) -> WorkOrder:
    _require_assignee(session, order_id, by)
    order = _move(session, order_id, WorkOrderStatus.IN_PROGRESS, by=by, now=now)
    order.started_at = order.started_at or now
    return order


def complete(session: Session, order_id: int, *, report: str, by: User, now: datetime) -> WorkOrder:
    if not report.strip():
        raise InvalidInput("report: describe the work done and parts replaced")
    _require_assignee(session, order_id, by)
    order = _move(session, order_id, WorkOrderStatus.COMPLETED, by=by, now=now, note=report)
    order.completed_at = now
    order.completion_report = report
    reraise_if_active(session, order, now=now)
    return order


def confirm(
    session: Session,
    order_id: int,
    *,
    attitude: int,
    quality: int,
    comment: str,
    by: User,
    now: datetime,
) -> WorkOrder:
    """The owner confirms the repair and rates attitude and quality (1-5)."""
    for name, value in (("attitude", attitude), ("quality", quality)):
        if not 1 <= value <= 5:
            raise InvalidInput(f"{name}: rate from 1 to 5")
    order = get_visible_or_raise(session, order_id, by)
    if order.requested_by_id != by.id and order.home_id not in owner_home_ids(session, by):
        raise PermissionDenied("only the owner who asked may confirm")
    order = _move(session, order_id, WorkOrderStatus.CONFIRMED, by=by, now=now, note=comment)
    order.confirmed_at = now
    order.rating_attitude, order.rating_quality, order.rating_comment = attitude, quality, comment
    reraise_if_active(session, order, now=now)
    return order


def reraise_if_active(session: Session, order: WorkOrder, *, now: datetime) -> WorkOrder | None:
    """A new order for the same alarm when `order` closes while its alarm is still active."""
    alert = session.scalars(
        select(Alert).where(Alert.work_order_id == order.id, Alert.state.in_(ACTIVE_ALERT_STATES))
    ).one_or_none()
    if alert is None:
        return None
    again, new = open_work_order(
        session,
        WorkOrderRequest(
            site_id=order.site_id,
            category=order.category,
            priority=order.priority,
            title=order.title,
            description=f"复发 Still active after #{order.id} was closed: {alert.reason}",
            location=order.location,
            source=order.source,
            dedup_key=order.dedup_key,
            rule_id=order.rule_id,
            device_id=order.device_id,
            home_id=order.home_id,
            reading_id=alert.reading_id,
        ),
        now=now,
    )
    if new:
        again.reopened_from_id = order.id
    alert.work_order_id = again.id
    session.flush()
    return again


def auto_assign(session: Session, order: WorkOrder, technician: User, *, now: datetime) -> None:
    """Accept and assign a new order to the on-duty technician, as the system (no user)."""
    for target, note in (
        (WorkOrderStatus.ACCEPTED, "自动受理 accepted automatically (duty roster)"),
        (WorkOrderStatus.ASSIGNED, f"assigned to {technician.username} (duty roster)"),
    ):
        check_work_order_move(order.status, target)
        order.status = target
        session.flush()
        _log(session, order, by=None, now=now, note=note)
    order.accepted_at = order.assigned_at = now
    order.assigned_to_id = technician.id
    session.flush()
    events.emit(session, "work_order.updated", work_order_view(order))


def _require_assignee(session: Session, order_id: int, user: User) -> None:
    order = get_visible_or_raise(session, order_id, user)
    if order.assigned_to_id != user.id:
        raise PermissionDenied("only the assigned technician may do this")


def _move(
    session: Session,
    order_id: int,
    target: WorkOrderStatus,
    *,
    by: User,
    now: datetime,
    note: str = "",
) -> WorkOrder:
    order = get_visible_or_raise(session, order_id, by)
    check_work_order_move(order.status, target)
    order.status = target
    session.flush()
    _log(session, order, by=by, now=now, note=note)
    events.emit(session, "work_order.updated", work_order_view(order))
    return order


def _log(session: Session, order: WorkOrder, *, by: User | None, now: datetime, note: str) -> None:
    session.add(
        WorkOrderEvent(
            work_order_id=order.id,
            status=order.status,
            at=now,
            by_id=by.id if by else None,
            note=note,
        )
    )


def history(session: Session, order: WorkOrder) -> list[WorkOrderEvent]:
    return list(
        session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == order.id)
            .order_by(WorkOrderEvent.id)
        )
    )


def contact_in_full(order: WorkOrder, reader: User) -> bool:
    """Whose duty needs the owner's number unmasked: customer service, the technician assigned
    now, and the owner who gave it (物业云平台制度 二(三)3: owner contacts only for the job)."""
    if reader.role is Role.CUSTOMER_SERVICE:
        return True
    if reader.role is Role.TECHNICIAN:
        return order.assigned_to_id == reader.id
    return order.requested_by_id == reader.id


def work_order_view(order: WorkOrder, *, full_contact: bool = False) -> dict[str, Any]:
    """The JSON shape of a work order, shared by the REST API and the live feed.

    The owner's contact is masked unless `full_contact`: only a single-order read by someone
    whose duty needs it (`contact_in_full`) asks for it, and that read is audited.
    """

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": order.id,
        "source": order.source.value,
        "category": order.category,
        "priority": order.priority.value,
        "title": order.title,
        "description": order.description,
        "location": order.location,
        "status": order.status.value,
        "home_id": order.home_id,
        "device_id": order.device_id,
        "rule_id": order.rule_id,
        "reading_id": order.reading_id,
        "assigned_to_id": order.assigned_to_id,
        "has_photo": order.photo_path is not None,
        "contact": _contact(order.contact, full=full_contact),
        "created_at": iso(order.created_at),
        "accept_by": iso(order.created_at + ACCEPT_WITHIN),
        "accepted_at": iso(order.accepted_at),
        "assigned_at": iso(order.assigned_at),
        "started_at": iso(order.started_at),
        "completed_at": iso(order.completed_at),
        "completion_report": order.completion_report,
        "confirmed_at": iso(order.confirmed_at),
        "rating_attitude": order.rating_attitude,
        "rating_quality": order.rating_quality,
        "escalated_at": iso(order.escalated_at),
        "reopened_from_id": order.reopened_from_id,
    }


def _contact(contact: str | None, *, full: bool) -> str | None:
    if contact is None or full:
        return contact
    return mask(contact)
