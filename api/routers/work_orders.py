"""Work orders (工单): owners' repair requests (报修), customer service's phone-ins, and each step
of the repair flow: accept, dispatch, the technician's accept / arrive / complete, confirm.

Also the lists the flow needs: homes (an owner's own, or found by customer service taking a
call), the staff a dispatcher can assign to, and an order's candidate technicians.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, IdField, ObjectId
from hub.domain import Priority, Role, WorkOrderStatus
from hub.errors import NotFound, TooLarge
from hub.services import (
    dispatch,
    homes,
    maintenance_records,
    read_audit,
    uploads,
    users,
    work_orders,
)
from hub.services.maintenance_record_views import MaintenanceRecordOut
from hub.services.work_order_views import (
    CandidateOut,
    HomeOut,
    WorkOrderDetailOut,
    WorkOrderOut,
    WorkOrderStepOut,
)
from hub.storage.models import User, WorkOrder

router = APIRouter(prefix="/work-orders", tags=["work orders"])
homes_router = APIRouter(prefix="/homes", tags=["work orders"])
staff_router = APIRouter(prefix="/staff", tags=["work orders"])

Reader = Annotated[
    User,
    Depends(
        require_role(Role.ADMIN, Role.OPERATOR, Role.CUSTOMER_SERVICE, Role.TECHNICIAN, Role.OWNER)
    ),
]
Acceptor = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.OPERATOR, Role.ADMIN))]
Dispatcher = Annotated[
    User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.OPERATOR, Role.ADMIN))
]
Technician = Annotated[User, Depends(require_role(Role.TECHNICIAN))]
Requester = Annotated[User, Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE))]
# admins too: they address notices to chosen homes and read households; operators place
# devices and alarms in homes (without the owners' names)
HomeFinder = Annotated[
    User,
    Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE, Role.ADMIN, Role.OPERATOR)),
]
Confirmer = Annotated[User, Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE))]
PhotoUploads = Annotated[
    list[UploadFile] | None,
    File(description=f"JPEG or PNG, at most {work_orders.MAX_PHOTOS}"),
]


class Assignment(BaseModel):
    technician_id: IdField


class Confirmation(BaseModel):
    attitude: int
    quality: int
    comment: str = Field(default="", max_length=2000)


@router.get("")
def list_work_orders(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    open_only: Annotated[bool, Query(alias="open", description="only unfinished orders")] = False,
    status: Annotated[
        WorkOrderStatus | None, Query(description="only orders in this state (e.g. completed)")
    ] = None,
) -> list[WorkOrderOut]:
    """Newest first: an owner's own homes', a technician's assigned, all for other staff.

    Contacts are masked here except an owner's own; `GET /work-orders/{id}` shows them in full
    to those whose duty needs it."""
    found = work_orders.list_for(session, user, open_only=open_only, status=status)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="work_orders", detail=f"{len(found)} rows"
    )
    now = context.clock.now()
    return [_view(order, user, now=now) for order in found]


@router.post("", status_code=201)
def submit(
    session: SessionDep,
    context: ContextDep,
    user: Requester,
    home_id: Annotated[int, Form(ge=1, le=DB_ID_MAX)],
    category: Annotated[str, Form(min_length=1, max_length=64)],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    description: Annotated[str, Form(max_length=4000)] = "",
    contact: Annotated[str | None, Form(max_length=200)] = None,
    priority: Annotated[
        Priority, Form(description="customer service's phone-in only; owners' are normal")
    ] = Priority.NORMAL,
    photo: Annotated[
        UploadFile | None, File(description="JPEG or PNG, or a short MP4 or WebM video")
    ] = None,
) -> WorkOrderOut:
    """An owner asks for a repair of one of their homes, optionally with a photo (kept
    re-encoded as JPEG) or a short video (kept as sent), within the owner's quota; or customer
    service enters a phoned-in request (电话报修) for any home, accepted at once. Either goes to
    the least loaded technician on duty; with nobody on duty, the supervisors are told to
    dispatch it."""
    if user.role is Role.CUSTOMER_SERVICE:
        order = work_orders.phone_in(
            session,
            by=user,
            home_id=home_id,
            category=category,
            title=title,
            description=description,
            priority=priority,
            contact=contact,
            now=context.clock.now(),
        )
        dispatch.assign_from_roster(session, order, now=context.clock.now())
        return WorkOrderOut.of(order, now=context.clock.now(), full_contact=True)
    checked = None
    if photo is not None and (photo.filename or photo.size):
        checked = uploads.read_attachment(photo.file, settings=context.settings)
        uploads.check_quota(session, user, checked, settings=context.settings)
    order = work_orders.submit_owner_request(
        session,
        owner=user,
        home_id=home_id,
        category=category,
        title=title,
        description=description,
        contact=contact,
        photo_path=checked.name if checked else None,
        now=context.clock.now(),
    )
    if checked is not None:  # only once the request is known good
        uploads.save(checked, var_dir=context.settings.var_dir)
    dispatch.assign_from_roster(session, order, now=context.clock.now())
    return _view(order, user, now=context.clock.now())


@router.get("/{order_id}")
def get_work_order(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> WorkOrderDetailOut:
    """One order with its timeline; the owner's contact in full for customer service and the
    assigned technician (each such read is audited), masked for other staff."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    now, target = context.clock.now(), f"work_order:{order.id}"
    read_audit.staff_read(session, user, at=now, target=target)
    full_contact = order.contact is not None and work_orders.contact_in_full(order, user)
    if full_contact:
        read_audit.pii_read(session, user, at=now, target=target, field="contact")
    out = WorkOrderOut.of(order, now=now, full_contact=full_contact)
    record = maintenance_records.record_of(session, order.id)
    return WorkOrderDetailOut(
        **dict(out),
        timeline=_timeline(session, order),
        record=MaintenanceRecordOut.of(record) if record else None,
    )


@router.get("/{order_id}/photo", response_class=FileResponse)
def get_photo(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> FileResponse:
    order = work_orders.get_visible_or_raise(session, order_id, user)
    if not order.photo_path:
        raise NotFound(f"work order {order_id} has no photo")
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"work_order:{order.id}", detail="photo"
    )
    return stored_file(order.photo_path, var_dir=context.settings.var_dir)


def stored_file(name: str, *, var_dir: Path) -> FileResponse:
    """A stored upload, private and never sniffed (also complaints' photos)."""
    path, media_type = uploads.open_stored(name, var_dir=var_dir)
    headers = {"Cache-Control": "private", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)


@router.get("/{order_id}/photos/{photo_id}", response_class=FileResponse)
def get_completion_photo(
    order_id: ObjectId, photo_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> FileResponse:
    """One of the technician's completion photos."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    photo = next((p for p in order.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(f"work order {order_id} has no photo {photo_id}")
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"work_order:{order.id}", detail="photo"
    )
    return stored_file(photo.name, var_dir=context.settings.var_dir)


@router.get("/{order_id}/history")
def get_history(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> list[WorkOrderStepOut]:
    """Every step: status, when, by whom, with the note (assignment, report, comment)."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"work_order:{order.id}", detail="history"
    )
    return _timeline(session, order)


def _view(order: WorkOrder, user: User, *, now: datetime) -> WorkOrderOut:
    """An order in a list or a step's answer: the contact in full only to its own owner."""
    return WorkOrderOut.of(order, now=now, full_contact=order.requested_by_id == user.id)


def _timeline(session: Session, order: WorkOrder) -> list[WorkOrderStepOut]:
    return [WorkOrderStepOut.of(session, item) for item in work_orders.history(session, order)]


@router.post("/{order_id}/accept")
def accept(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Acceptor
) -> WorkOrderOut:
    order = work_orders.accept(session, order_id, by=user, now=context.clock.now())
    return _view(order, user, now=context.clock.now())


@router.post("/{order_id}/assign")
def assign(
    order_id: ObjectId, body: Assignment, session: SessionDep, context: ContextDep, user: Dispatcher
) -> WorkOrderOut:
    order = work_orders.assign(
        session, order_id, technician_id=body.technician_id, by=user, now=context.clock.now()
    )
    return _view(order, user, now=context.clock.now())


@router.post("/{order_id}/start")
def start(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Technician
) -> WorkOrderOut:
    order = work_orders.start(session, order_id, by=user, now=context.clock.now())
    return _view(order, user, now=context.clock.now())


@router.post("/{order_id}/arrive")
def arrive(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Technician
) -> WorkOrderOut:
    """The assigned technician is on site (到场): records `arrived_at`."""
    order = work_orders.arrive(session, order_id, by=user, now=context.clock.now())
    return _view(order, user, now=context.clock.now())


class ContactNote(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="how reached, what was agreed")


class PauseNote(BaseModel):
    note: str = Field(default="", max_length=2000, description="why: owner away, parts to agree")


@router.post("/{order_id}/contact")
def contact(
    order_id: ObjectId,
    body: ContactNote,
    session: SessionDep,
    context: ContextDep,
    user: Technician,
) -> WorkOrderOut:
    """The assigned technician contacted the owner (联系业主): records `contacted_at`, which
    meets the contact clock, and the note in the timeline."""
    now = context.clock.now()
    order = work_orders.contact_owner(session, order_id, note=body.note, by=user, now=now)
    return _view(order, user, now=now)


@router.post("/{order_id}/pause")
def pause(
    order_id: ObjectId, body: PauseNote, session: SessionDep, context: ContextDep, user: Technician
) -> WorkOrderOut:
    """Waiting for the owner (等待业主): the SLA clocks stand still until `resume`."""
    now = context.clock.now()
    order = work_orders.pause(session, order_id, note=body.note, by=user, now=now)
    return _view(order, user, now=now)


@router.post("/{order_id}/resume")
def resume(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Technician
) -> WorkOrderOut:
    """The owner is back: the clocks run again (the paused time stays on the order)."""
    now = context.clock.now()
    order = work_orders.resume(session, order_id, by=user, now=now)
    return _view(order, user, now=now)


@router.post("/{order_id}/complete")
def complete(
    order_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    user: Technician,
    report: Annotated[str, Form(min_length=1, max_length=4000)],
    photos: PhotoUploads = None,
) -> WorkOrderOut:
    """Done: the report (work done, parts replaced) and up to 4 photos, each checked and kept
    re-encoded as JPEG like an owner's."""
    files = [f for f in photos or [] if f.filename or f.size]
    if len(files) > work_orders.MAX_PHOTOS:
        raise TooLarge(f"photos: at most {work_orders.MAX_PHOTOS} per order")
    checked = [uploads.read_photo(f.file, settings=context.settings) for f in files]
    order = work_orders.complete(
        session, order_id, report=report, photos=checked, by=user, now=context.clock.now()
    )
    for photo in checked:  # only once the step is known good
        uploads.save(photo, var_dir=context.settings.var_dir)
    return _view(order, user, now=context.clock.now())


@router.post("/{order_id}/confirm")
def confirm(
    order_id: ObjectId,
    body: Confirmation,
    session: SessionDep,
    context: ContextDep,
    user: Confirmer,
) -> WorkOrderOut:
    """The owner confirms the repair and rates attitude and quality from 1 to 5 (customer service
    may, for an owner on the phone)."""
    order = work_orders.confirm(
        session,
        order_id,
        attitude=body.attitude,
        quality=body.quality,
        comment=body.comment,
        by=user,
        now=context.clock.now(),
    )
    return _view(order, user, now=context.clock.now())


class Reason(BaseModel):
    reason: str = Field(default="", max_length=200, description="shown in the timeline")


@router.post("/{order_id}/refuse")
def refuse(
    order_id: ObjectId, body: Reason, session: SessionDep, context: ContextDep, user: Confirmer
) -> WorkOrderOut:
    """The owner is not satisfied: the repair goes back to the technician with the reason
    (needed), counted in `refused_count`."""
    now = context.clock.now()
    order = work_orders.refuse(session, order_id, reason=body.reason, by=user, now=now)
    return _view(order, user, now=now)


@router.post("/{order_id}/cancel")
def cancel(
    order_id: ObjectId, body: Reason, session: SessionDep, context: ContextDep, user: Confirmer
) -> WorkOrderOut:
    """Withdraw the request before work starts (submitted, accepted or assigned): the owner, or
    customer service with a reason."""
    now = context.clock.now()
    order = work_orders.cancel(session, order_id, reason=body.reason, by=user, now=now)
    return _view(order, user, now=now)


@router.get("/{order_id}/candidates")
def candidates(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Dispatcher
) -> list[CandidateOut]:
    """Technicians to dispatch to: the duty roster's pick and others on duty first, each with
    their open orders."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    return dispatch.candidates(session, order, now=context.clock.now())


@homes_router.get("")
def list_homes(
    session: SessionDep,
    context: ContextDep,
    user: HomeFinder,
    q: Annotated[str, Query(max_length=100, description="home, building or owner's name")] = "",
    site_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX, description="estate")] = None,
    building_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=DB_ID_MAX)] = 0,
) -> list[HomeOut]:
    """An owner's own homes (the filters do not apply); for staff, a page of the homes matching
    `q`, in the estate or building, by building and home code. Operators get no owners' names."""
    if user.role is Role.OWNER:
        return homes.owners_homes(session, user)
    where = homes.HomeFilter(q, site_id=site_id, building_id=building_id)
    found = homes.search(
        session, where, limit=limit, offset=offset, with_owners=user.role is not Role.OPERATOR
    )
    read_audit.staff_read(
        session,
        user,
        at=context.clock.now(),
        target="homes",
        detail=f"q={q!r} site={site_id} building={building_id} {len(found)} rows",
    )
    return found


class StaffOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role


@staff_router.get("")
def list_staff(
    session: SessionDep,
    _: Dispatcher,
    role: Annotated[Role | None, Query(description="e.g. technician")] = None,
) -> list[StaffOut]:
    """Active staff to assign work to, by username."""
    return [
        StaffOut(id=u.id, username=u.username, full_name=u.full_name, role=u.role)
        for u in users.list_staff(session, role=role)
    ]
