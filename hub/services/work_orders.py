"""Work orders (工单): opened by rules, owners or staff; moved step by step, never skipping.

The flow of 物业云平台制度 二(三)2: submitted -> accepted (customer service, within 30 min) ->
assigned (to a technician) -> in progress -> completed (with a report) -> confirmed and rated
by the owner. Urgent rule-raised orders (a leak) are marked urgent at once.

A rule's order links to its alarm (the alarm's `work_order_id`). Closing it (completed or
confirmed) while that alarm is still active re-raises: a new order, linked to the same alarm and
to the one it follows (`reopened_from_id`), because the condition still holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.domain import (
    ACTIVE_ALERT_STATES,
    OPEN_WORK_ORDER_STATES,
    WORK_ORDER_TRANSITIONS,
    Priority,
    Role,
    WorkOrderSource,
    WorkOrderStatus,
    check_work_order_move,
)
from hub.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied, TooLarge
from hub.services import maintenance_records, outbox, surveys
from hub.services.uploads import Photo
from hub.services.users import owner_home_ids
from hub.services.work_order_views import WorkOrderOut
from hub.storage.models import (
    Alert,
    Device,
    Home,
    User,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPause,
    WorkOrderPhoto,
)

MAX_PHOTOS = 4  # completion photos per order


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
    asset_id: int | None = None  # None: the device's asset, if it has one
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
        asset_id=request.asset_id or _asset_of_device(session, request.device_id),
        home_id=request.home_id,
        reading_id=request.reading_id,
        created_at=now,
    )
    session.add(order)
    session.flush()
    _log(session, order, by=None, now=now, note=request.description)
    events.emit(session, "work_order.opened", work_order_view(order, now=now))
    return order, True


def _asset_of_device(session: Session, device_id: int | None) -> int | None:
    device = session.get(Device, device_id) if device_id is not None else None
    return device.asset_id if device is not None else None


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


def phone_in(
    session: Session,
    *,
    by: User,
    home_id: int,
    category: str,
    title: str,
    description: str,
    priority: Priority,
    contact: str | None,
    now: datetime,
) -> WorkOrder:
    """Customer service enters an owner's phoned-in request (电话报修): taking the call is
    accepting it, so the order starts accepted, waiting for dispatch."""
    home = session.get(Home, home_id)
    if home is None:
        raise NotFound(f"home {home_id} not found")
    order, _ = open_work_order(
        session,
        WorkOrderRequest(
            site_id=_site_of_home(home),
            category=category,
            priority=priority,
            title=title,
            description=description,
            location=f"{home.building.code}/{home.code}",
            source=WorkOrderSource.STAFF,
            home_id=home_id,
        ),
        now=now,
    )
    order.contact = contact
    return accept(session, order.id, by=by, now=now, note="电话报修 phoned in")


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


def list_for(
    session: Session,
    user: User,
    *,
    open_only: bool = False,
    status: WorkOrderStatus | None = None,
) -> list[WorkOrder]:
    """Newest first: an owner's own, a technician's assigned, everything for other staff; only
    the unfinished ones, or one state's (customer service's repairs awaiting confirmation)."""
    query = select(WorkOrder).order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
    readable = _readable_by(session, user)
    if readable is not None:
        query = query.where(readable)
    if open_only:
        query = query.where(WorkOrder.status.in_(OPEN_WORK_ORDER_STATES))
    if status is not None:
        query = query.where(WorkOrder.status == status)
    return list(session.scalars(query.limit(500)))


def accept(
    session: Session, order_id: int, *, by: User, now: datetime, note: str = ""
) -> WorkOrder:
    order = _move(session, order_id, WorkOrderStatus.ACCEPTED, by=by, now=now, note=note)
    order.accepted_at = now
    return order


def assign(
    session: Session, order_id: int, *, technician_id: int, by: User, now: datetime
) -> WorkOrder:
    """Dispatch (派单) to an active technician; again while assigned to hand it to another, who
    then has to contact the owner in their turn."""
    technician = session.get(User, technician_id)
    if technician is None or technician.role is not Role.TECHNICIAN or not technician.active:
        raise InvalidInput(f"user {technician_id} is not an active technician")
    order = get_visible_or_raise(session, order_id, by)
    check_work_order_move(order.status, WorkOrderStatus.ASSIGNED)
    order.assignee, order.assigned_at = technician, now
    order.contacted_at = None  # the contact clock starts again: the new technician calls
    note = f"派给 {technician.username} assigned to {technician.username}"
    return _move(session, order_id, WorkOrderStatus.ASSIGNED, by=by, now=now, note=note)


def start(session: Session, order_id: int, *, by: User, now: datetime) -> WorkOrder:
    _require_assignee(session, order_id, by)
    order = _move(session, order_id, WorkOrderStatus.IN_PROGRESS, by=by, now=now)
    order.started_at = order.started_at or now
    return order


def arrive(session: Session, order_id: int, *, by: User, now: datetime) -> WorkOrder:
    """The technician is on site (到场): recorded once, on an order in progress."""
    _require_assignee(session, order_id, by)
    order = get_visible_or_raise(session, order_id, by)
    if order.status is not WorkOrderStatus.IN_PROGRESS or order.arrived_at is not None:
        raise InvalidTransition(
            f"a work order that is {order.status.value} cannot record an arrival"
            + (" again" if order.arrived_at else "")
        )
    order.arrived_at = now
    _log(session, order, by=by, now=now, note="到场 arrived on site")
    session.flush()
    emit_updated(session, order, now=now)
    return order


def contact_owner(
    session: Session, order_id: int, *, note: str, by: User, now: datetime
) -> WorkOrder:
    """The technician contacted the owner (联系业主, within 30 min of dispatch by the seeds): once,
    with what was agreed, on an order assigned or in progress."""
    if not note.strip():
        raise InvalidInput("note: say how the owner was reached and what was agreed")
    order = _assigned_order(session, order_id, by, step="record a contact")
    if order.contacted_at is not None:
        raise InvalidTransition("the owner's contact is already recorded")
    order.contacted_at = now
    _log(session, order, by=by, now=now, note=f"已联系业主 Contacted the owner: {note.strip()}")
    session.flush()
    emit_updated(session, order, now=now)
    return order


def pause(session: Session, order_id: int, *, note: str, by: User, now: datetime) -> WorkOrder:
    """Waiting for the owner (等待业主): the SLA clocks stand still until `resume`."""
    order = _assigned_order(session, order_id, by, step="wait for the owner")
    if any(p.ended_at is None for p in order.pauses):
        raise InvalidTransition("the order is already waiting for the owner")
    order.pauses.append(WorkOrderPause(started_at=now, by_id=by.id, note=note.strip()))
    text = f"等待业主，计时暂停 Waiting for the owner, clocks paused: {note.strip()}".rstrip(": ")
    _log(session, order, by=by, now=now, note=text)
    session.flush()
    emit_updated(session, order, now=now)
    return order


def resume(session: Session, order_id: int, *, by: User, now: datetime) -> WorkOrder:
    """The owner is back: the clocks run again; the pause's length stays on the order."""
    order = _assigned_order(session, order_id, by, step="resume")
    waiting = next((p for p in order.pauses if p.ended_at is None), None)
    if waiting is None:
        raise InvalidTransition("the order is not waiting for the owner")
    waiting.ended_at = now
    minutes = int((now - waiting.started_at).total_seconds() // 60)
    note = f"恢复计时，暂停 {minutes} 分钟 Clocks running again after {minutes} min"
    _log(session, order, by=by, now=now, note=note)
    session.flush()
    emit_updated(session, order, now=now)
    return order


def _assigned_order(session: Session, order_id: int, by: User, *, step: str) -> WorkOrder:
    """The order if `by` is its technician and it is assigned or in progress."""
    _require_assignee(session, order_id, by)
    order = get_visible_or_raise(session, order_id, by)
    if order.status not in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS):
        raise InvalidTransition(f"a work order that is {order.status.value} cannot {step}")
    return order


def complete(
    session: Session,
    order_id: int,
    *,
    report: str,
    by: User,
    now: datetime,
    photos: Sequence[Photo] = (),
) -> WorkOrder:
    """Done, with the report and up to `MAX_PHOTOS` photos (checked, not yet written); an
    asset's order needs its maintenance record written first."""
    if not report.strip():
        raise InvalidInput("report: describe the work done and parts replaced")
    if len(photos) > MAX_PHOTOS:
        raise TooLarge(f"photos: at most {MAX_PHOTOS} per order; 最多 {MAX_PHOTOS} 张照片")
    _require_assignee(session, order_id, by)
    maintenance_records.require_for_completion(session, get_visible_or_raise(session, order_id, by))
    order = _move(session, order_id, WorkOrderStatus.COMPLETED, by=by, now=now, note=report)
    order.completed_at = now
    order.completion_report = report
    for photo in photos:
        order.photos.append(
            WorkOrderPhoto(
                name=photo.name,
                content_type="image/jpeg",
                size=len(photo.data),
                uploaded_by_id=by.id,
                at=now,
            )
        )
    session.flush()
    if photos:
        emit_updated(session, order, now=now)
    surveys.on_completed(session, order, now=now)
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
    """The owner confirms the repair (and its maintenance record) and rates attitude and quality
    (1-5); customer service may confirm for an owner who tells them on the phone. An asset's
    order nobody requested is the estate's to confirm (`confirm_for_estate`)."""
    for name, value in (("attitude", attitude), ("quality", quality)):
        if not 1 <= value <= 5:
            raise InvalidInput(f"{name}: rate from 1 to 5")
    order = get_visible_or_raise(session, order_id, by)
    _owners_or_service(session, order, by, "confirm")
    if order.asset_id is not None and maintenance_records.estate_confirms(order):
        raise PermissionDenied(
            "nobody requested this repair: the operator or admin confirms it for the estate",
            code="record_confirmed_by_estate",
        )
    order = _move(session, order_id, WorkOrderStatus.CONFIRMED, by=by, now=now, note=comment)
    order.rating_attitude, order.rating_quality, order.rating_comment = attitude, quality, comment
    return _confirmed(session, order, by=by, now=now)


def confirm_for_estate(
    session: Session, order_id: int, *, note: str, by: User, now: datetime
) -> WorkOrder:
    """The operator or admin confirms the repair and maintenance record of an asset's order
    nobody requested (a rule's, staff's), for the estate; no ratings."""
    order = get_visible_or_raise(session, order_id, by)
    if order.asset_id is None or not maintenance_records.estate_confirms(order):
        raise PermissionDenied(
            "only an asset's order nobody requested is confirmed for the estate; "
            "the owner who asked confirms theirs",
            code="record_confirmed_by_requester",
        )
    text = f"物业确认维修记录 Confirmed for the estate: {note.strip()}".rstrip(": ")
    order = _move(session, order_id, WorkOrderStatus.CONFIRMED, by=by, now=now, note=text)
    return _confirmed(session, order, by=by, now=now)


def _confirmed(session: Session, order: WorkOrder, *, by: User, now: datetime) -> WorkOrder:
    order.confirmed_at = now
    maintenance_records.confirm(session, order, by=by, now=now)
    reraise_if_active(session, order, now=now)
    return order


def refuse(session: Session, order_id: int, *, reason: str, by: User, now: datetime) -> WorkOrder:
    """The owner is not satisfied with the repair: it goes back to the technician (in progress
    again) with the reason, counted in `refused_count`; customer service may send it back for an
    owner on the phone. The technician hears of it in their inbox."""
    reason = _reason(reason, required=True)
    order = get_visible_or_raise(session, order_id, by)
    _owners_or_service(session, order, by, "refuse")
    if order.status is not WorkOrderStatus.COMPLETED:
        raise InvalidTransition(f"a work order that is {order.status.value} cannot be refused")
    order.completed_at = None
    order.refused_count += 1
    note = f"业主不满意，返工 Sent back by the owner: {reason}"
    order = _move(session, order_id, WorkOrderStatus.IN_PROGRESS, by=by, now=now, note=note)
    _tell_assignee(session, order, f"返工 Rework: {order.title}", reason, now)
    return order


def cancel(session: Session, order_id: int, *, reason: str, by: User, now: datetime) -> WorkOrder:
    """Withdraw a request before work starts: the owner who asked (a reason is optional), or
    customer service, who must say why."""
    reason = _reason(reason, required=by.role is Role.CUSTOMER_SERVICE)
    order = get_visible_or_raise(session, order_id, by)
    _owners_or_service(session, order, by, "cancel")
    if WorkOrderStatus.CANCELLED not in WORK_ORDER_TRANSITIONS[order.status]:
        raise InvalidTransition(
            f"work order {order.id} is {order.status.value}: too late to cancel",
            code="order_started",
        )
    order.cancelled_at, order.cancel_reason = now, reason or None
    note = f"已取消 Cancelled: {reason}" if reason else "业主取消 Cancelled by the owner"
    order = _move(session, order_id, WorkOrderStatus.CANCELLED, by=by, now=now, note=note)
    _tell_assignee(session, order, f"工单已取消 Cancelled: {order.title}", note, now)
    return order


def _reason(text: str, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise InvalidInput("reason: say why", code="reason_required")
    return text


def _owners_or_service(session: Session, order: WorkOrder, by: User, action: str) -> None:
    """Only the owner who asked (or an owner of the home) decides on their repair, or customer
    service on their behalf."""
    mine = order.requested_by_id == by.id or order.home_id in owner_home_ids(session, by)
    if by.role is not Role.CUSTOMER_SERVICE and not mine:
        raise PermissionDenied(f"only the owner who asked may {action}")


def _tell_assignee(
    session: Session, order: WorkOrder, title: str, body: str, now: datetime
) -> None:
    if order.assignee is not None:
        outbox.notify(
            session,
            site_id=order.site_id,
            recipients=outbox.Recipients(usernames=(order.assignee.username,)),
            title=title,
            body=body,
            source="work_order",
            now=now,
        )


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
    """Accept (unless a phone-in already was) and assign a new order to the on-duty
    technician, as the system (no user)."""
    steps = [
        (WorkOrderStatus.ACCEPTED, "自动受理 accepted automatically (duty roster)"),
        (
            WorkOrderStatus.ASSIGNED,
            f"按排班派给 {technician.username} assigned to {technician.username} (duty roster)",
        ),
    ]
    if order.status is WorkOrderStatus.ACCEPTED:
        steps = steps[1:]
    for target, note in steps:
        check_work_order_move(order.status, target)
        order.status = target
        session.flush()
        _log(session, order, by=None, now=now, note=note)
    order.accepted_at = order.accepted_at or now
    order.assigned_at = now
    order.assignee = technician
    session.flush()
    emit_updated(session, order, now=now)


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
    emit_updated(session, order, now=now)
    return order


def emit_updated(session: Session, order: WorkOrder, *, now: datetime) -> None:
    """The live feed's `work_order.updated` with the order as REST shows it at `now`."""
    events.emit(session, "work_order.updated", work_order_view(order, now=now))


def record_note(
    session: Session, order: WorkOrder, *, now: datetime, note: str, by: User | None = None
) -> None:
    """A line in the order's timeline without a move: from the hub itself (no user), e.g. an
    SLA escalation, or a person's change such as the asset it repairs."""
    _log(session, order, by=by, now=now, note=note)


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


def open_order_counts(session: Session, technician_ids: Sequence[int]) -> dict[int, int]:
    """How many open orders each technician has assigned now."""
    rows = session.execute(
        select(WorkOrder.assigned_to_id, func.count())
        .where(
            WorkOrder.assigned_to_id.in_(technician_ids),
            WorkOrder.status.in_(OPEN_WORK_ORDER_STATES),
        )
        .group_by(WorkOrder.assigned_to_id)
    )
    return {int(user_id or 0): int(count) for user_id, count in rows}


def work_order_view(
    order: WorkOrder, *, now: datetime, full_contact: bool = False
) -> dict[str, Any]:
    """The live feed's JSON of a work order: `WorkOrderOut`, the REST API's shape."""
    return WorkOrderOut.of(order, now=now, full_contact=full_contact).model_dump(mode="json")
