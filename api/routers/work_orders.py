"""Work orders (工单): owners' repair requests (报修) and each step of the repair flow.

Also the two lists the flow needs: an owner's homes (to pick one when asking for a repair) and
the staff a dispatcher can assign to.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, IdField, ObjectId
from hub.domain import Role
from hub.errors import NotFound
from hub.services import read_audit, uploads, users, work_orders
from hub.storage.models import Home, User, WorkOrder, WorkOrderEvent

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
Dispatcher = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.ADMIN))]
Technician = Annotated[User, Depends(require_role(Role.TECHNICIAN))]
Owner = Annotated[User, Depends(require_role(Role.OWNER))]

View = dict[str, Any]


class Assignment(BaseModel):
    technician_id: IdField


class Completion(BaseModel):
    report: str = Field(max_length=4000)


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
) -> list[View]:
    """Newest first: an owner's own homes', a technician's assigned, all for other staff.

    Contacts are masked here except an owner's own; `GET /work-orders/{id}` shows them in full
    to those whose duty needs it."""
    found = work_orders.list_for(session, user, open_only=open_only)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="work_orders", detail=f"{len(found)} rows"
    )
    return [_view(order, user) for order in found]


@router.post("", status_code=201)
def submit(
    session: SessionDep,
    context: ContextDep,
    owner: Owner,
    home_id: Annotated[int, Form(ge=1, le=DB_ID_MAX)],
    category: Annotated[str, Form(min_length=1, max_length=64)],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    description: Annotated[str, Form(max_length=4000)] = "",
    contact: Annotated[str | None, Form(max_length=200)] = None,
    photo: Annotated[UploadFile | None, File(description="JPEG or PNG")] = None,
) -> View:
    """An owner asks for a repair of one of their homes, optionally with a photo (kept
    re-encoded as JPEG, within the owner's quota)."""
    checked = None
    if photo is not None and (photo.filename or photo.size):
        checked = uploads.read_photo(photo.file, settings=context.settings)
        uploads.check_quota(session, owner, checked, settings=context.settings)
    order = work_orders.submit_owner_request(
        session,
        owner=owner,
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
    return _view(order, owner)


@router.get("/{order_id}")
def get_work_order(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> View:
    """One order; the owner's contact in full for customer service and the assigned technician
    (each such read is audited), masked for other staff."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    now, target = context.clock.now(), f"work_order:{order.id}"
    read_audit.staff_read(session, user, at=now, target=target)
    full_contact = order.contact is not None and work_orders.contact_in_full(order, user)
    if full_contact:
        read_audit.pii_read(session, user, at=now, target=target, field="contact")
    return work_orders.work_order_view(order, full_contact=full_contact)


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
    path, media_type = uploads.open_stored(order.photo_path, var_dir=context.settings.var_dir)
    headers = {"Cache-Control": "private", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)


@router.get("/{order_id}/history")
def get_history(
    order_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> list[View]:
    """Every step: status, when, by whom, with the note (assignment, report, comment)."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"work_order:{order.id}", detail="history"
    )
    return [_event_view(session, item) for item in work_orders.history(session, order)]


def _view(order: WorkOrder, user: User) -> View:
    """An order in a list or a step's answer: the contact in full only to its own owner."""
    return work_orders.work_order_view(order, full_contact=order.requested_by_id == user.id)


def _event_view(session: Session, item: WorkOrderEvent) -> View:
    by = session.get(User, item.by_id) if item.by_id else None
    return {
        "status": item.status.value,
        "at": item.at.isoformat(),
        "by": by.username if by else None,
        "note": item.note,
    }


@router.post("/{order_id}/accept")
def accept(order_id: ObjectId, session: SessionDep, context: ContextDep, user: Acceptor) -> View:
    order = work_orders.accept(session, order_id, by=user, now=context.clock.now())
    return _view(order, user)


@router.post("/{order_id}/assign")
def assign(
    order_id: ObjectId, body: Assignment, session: SessionDep, context: ContextDep, user: Dispatcher
) -> View:
    order = work_orders.assign(
        session, order_id, technician_id=body.technician_id, by=user, now=context.clock.now()
    )
    return _view(order, user)


@router.post("/{order_id}/start")
def start(order_id: ObjectId, session: SessionDep, context: ContextDep, user: Technician) -> View:
    order = work_orders.start(session, order_id, by=user, now=context.clock.now())
    return _view(order, user)


@router.post("/{order_id}/complete")
def complete(
    order_id: ObjectId, body: Completion, session: SessionDep, context: ContextDep, user: Technician
) -> View:
    order = work_orders.complete(
        session, order_id, report=body.report, by=user, now=context.clock.now()
    )
    return _view(order, user)


@router.post("/{order_id}/confirm")
def confirm(
    order_id: ObjectId, body: Confirmation, session: SessionDep, context: ContextDep, user: Owner
) -> View:
    """The owner confirms the repair and rates attitude and quality from 1 to 5."""
    order = work_orders.confirm(
        session,
        order_id,
        attitude=body.attitude,
        quality=body.quality,
        comment=body.comment,
        by=user,
        now=context.clock.now(),
    )
    return _view(order, user)


@homes_router.get("")
def my_homes(session: SessionDep, owner: Owner) -> list[View]:
    """The homes the calling owner may ask repairs for."""
    homes = [session.get(Home, home_id) for home_id in users.owner_home_ids(session, owner)]
    return sorted(
        (
            {
                "id": home.id,
                "code": home.code,
                "building": home.building.name,
                "label": f"{home.building.code}/{home.code}",
            }
            for home in homes
            if home is not None
        ),
        key=lambda view: str(view["label"]),
    )


@staff_router.get("")
def list_staff(
    session: SessionDep,
    _: Dispatcher,
    role: Annotated[Role | None, Query(description="e.g. technician")] = None,
) -> list[View]:
    """Active staff to assign work to, by username."""
    return [
        {"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role.value}
        for u in users.list_staff(session, role=role)
    ]
