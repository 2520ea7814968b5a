"""Complaints and suggestions (投诉建议): owners submit and follow their own, confirm or reopen;
customer service records calls and walk-ins, reviews, assigns, logs contacts, records results
and closes what is out of scope; admins read all. Another owner's complaint is not found (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import FileResponse
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from api.routers.work_orders import stored_file
from hub.complaint_states import ComplaintChannel, ComplaintKind, ContactMethod, Department
from hub.domain import Role
from hub.errors import InvalidInput, NotFound, TooLarge
from hub.services import complaints, read_audit, uploads
from hub.services.complaint_views import (
    ComplaintDetailOut,
    ComplaintOut,
    ComplaintStepOut,
    ContactOut,
)
from hub.storage.models import Complaint, User

router = APIRouter(prefix="/complaints", tags=["complaints"])

Reader = Annotated[User, Depends(require_role(Role.ADMIN, Role.CUSTOMER_SERVICE, Role.OWNER))]
Intake = Annotated[User, Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE))]
Service = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE))]
Confirmer = Annotated[User, Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE))]

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class ComplaintIn(BaseModel):
    home_id: IdField
    kind: ComplaintKind
    description: Text
    contact: str | None = Field(default=None, max_length=200)
    channel: ComplaintChannel = Field(
        default=ComplaintChannel.APP, description="customer service: phone or walk_in"
    )
    call_at: AwareDatetime | None = Field(default=None, description="phone-ins: the call")


class ReviewIn(BaseModel):
    category: str = Field(min_length=1, max_length=64)


class AssignIn(BaseModel):
    department: Department


class ContactIn(BaseModel):
    method: ContactMethod
    summary: Text
    at: AwareDatetime | None = Field(default=None, description="when it happened; now if left out")


class ResultIn(BaseModel):
    result: Text


class ReasonIn(BaseModel):
    reason: Text


class ConfirmIn(BaseModel):
    satisfaction: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="1-5 stars: how satisfied the owner is with the result",
    )


@router.get("")
def list_complaints(
    session: SessionDep, context: ContextDep, user: Reader, department: Department | None = None
) -> list[ComplaintOut]:
    """Open ones first, overdue deadlines first; an owner's own only. `department`: that
    department's queue (assigned to it, or suggested for it until assigned). Contacts are
    masked here except an owner's own; one complaint's page shows them to customer service."""
    now = context.clock.now()
    found = complaints.list_for(session, user, now=now, department=department)
    read_audit.staff_read(session, user, at=now, target="complaints", detail=f"{len(found)} rows")
    return [ComplaintOut.of(c, now=now, full_contact=c.owner_id == user.id) for c in found]


@router.post("", status_code=201)
def record(
    body: ComplaintIn, session: SessionDep, context: ContextDep, user: Intake
) -> ComplaintDetailOut:
    """An owner submits for one of their homes (the app); customer service records a call (with
    its time) or a walk-in for any home."""
    now = context.clock.now()
    if user.role is Role.CUSTOMER_SERVICE:
        complaint = complaints.record_for_owner(
            session,
            by=user,
            home_id=body.home_id,
            channel=body.channel,
            kind=body.kind,
            description=body.description,
            contact=body.contact,
            call_at=body.call_at,
            now=now,
        )
    else:
        if body.channel is not ComplaintChannel.APP or body.call_at is not None:
            raise InvalidInput("channel: owners submit in the app", code="complaint_channel")
        complaint = complaints.submit(
            session,
            owner=user,
            home_id=body.home_id,
            kind=body.kind,
            description=body.description,
            contact=body.contact,
            now=now,
        )
    return _detail(session, complaint, user, now=now)


@router.get("/{complaint_id}")
def get_complaint(
    complaint_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> ComplaintDetailOut:
    """One complaint with its deadlines, timeline and contact log; the contact in full for
    customer service (audited) and the owner who gave it."""
    now = context.clock.now()
    complaint = complaints.get_visible_or_raise(session, complaint_id, user)
    read_audit.staff_read(session, user, at=now, target=f"complaint:{complaint.id}")
    return _detail(session, complaint, user, now=now)


def _detail(
    session: Session, complaint: Complaint, user: User, *, now: datetime
) -> ComplaintDetailOut:
    """The complaint with its timeline and contact log, as each step answers too: the contact in
    full for customer service (each such answer audited) and the owner who gave it."""
    full = complaints.contact_in_full(complaint, user)
    if full and complaint.contact is not None:
        target = f"complaint:{complaint.id}"
        read_audit.pii_read(session, user, at=now, target=target, field="contact")
    out = ComplaintOut.of(complaint, now=now, full_contact=full)
    steps = [ComplaintStepOut.of(session, e) for e in complaints.timeline(session, complaint)]
    log = [ContactOut.of(session, c) for c in complaints.contacts(session, complaint)]
    return ComplaintDetailOut(**dict(out), timeline=steps, contacts=log)


@router.post("/{complaint_id}/photos")
def attach_photos(
    complaint_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    user: Intake,
    photos: Annotated[
        list[UploadFile],
        File(
            description=f"JPEG or PNG, {complaints.MAX_PHOTOS} at most in all; or a short MP4 or "
            f"WebM video, {complaints.MAX_VIDEOS} at most"
        ),
    ],
) -> ComplaintDetailOut:
    """Photos of what it is about, each checked and kept re-encoded as JPEG, or a short video
    recognised by its container (an owner's within their storage quota), while the complaint is
    open."""
    files = [f for f in photos if f.filename or f.size]
    if len(files) > complaints.MAX_PHOTOS:
        raise TooLarge(f"photos: at most {complaints.MAX_PHOTOS} per complaint")
    checked = [uploads.read_attachment(f.file, settings=context.settings) for f in files]
    if user.role is Role.OWNER:
        pending = 0
        for photo in checked:
            uploads.check_quota(session, user, photo, settings=context.settings, pending=pending)
            pending += len(photo.data)
    now = context.clock.now()
    complaint = complaints.attach_photos(session, complaint_id, checked, by=user, now=now)
    for photo in checked:  # only once the step is known good
        uploads.save(photo, var_dir=context.settings.var_dir)
    return _detail(session, complaint, user, now=now)


@router.get("/{complaint_id}/photos/{photo_id}", response_class=FileResponse)
def get_photo(
    complaint_id: ObjectId,
    photo_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    user: Reader,
) -> FileResponse:
    complaint = complaints.get_visible_or_raise(session, complaint_id, user)
    photo = next((p for p in complaint.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(f"complaint {complaint_id} has no photo {photo_id}")
    read_audit.staff_read(
        session, user, at=context.clock.now(), target=f"complaint:{complaint.id}", detail="photo"
    )
    return stored_file(photo.name, var_dir=context.settings.var_dir)


@router.post("/{complaint_id}/review")
def review(
    complaint_id: ObjectId, body: ReviewIn, session: SessionDep, context: ContextDep, user: Service
) -> ComplaintDetailOut:
    """Reviewed (complete, in scope) and classified: the 1-hour step."""
    now = context.clock.now()
    complaint = complaints.review(session, complaint_id, category=body.category, by=user, now=now)
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/assign")
def assign(
    complaint_id: ObjectId, body: AssignIn, session: SessionDep, context: ContextDep, user: Service
) -> ComplaintDetailOut:
    now = context.clock.now()
    complaint = complaints.assign(
        session, complaint_id, department=body.department, by=user, now=now
    )
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/contacts")
def log_contact(
    complaint_id: ObjectId, body: ContactIn, session: SessionDep, context: ContextDep, user: Service
) -> ComplaintDetailOut:
    """A call or visit with the owner; the first one is the 24-hour step."""
    now = context.clock.now()
    complaint = complaints.log_contact(
        session,
        complaint_id,
        method=body.method,
        summary=body.summary,
        at=body.at,
        by=user,
        now=now,
    )
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/result")
def record_result(
    complaint_id: ObjectId, body: ResultIn, session: SessionDep, context: ContextDep, user: Service
) -> ComplaintDetailOut:
    now = context.clock.now()
    complaint = complaints.record_result(
        session, complaint_id, result=body.result, by=user, now=now
    )
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/out-of-scope")
def out_of_scope(
    complaint_id: ObjectId, body: ReasonIn, session: SessionDep, context: ContextDep, user: Service
) -> ComplaintDetailOut:
    """Not the company's to handle: closed with the reason the owner reads."""
    now = context.clock.now()
    complaint = complaints.close_out_of_scope(
        session, complaint_id, reason=body.reason, by=user, now=now
    )
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/confirm")
def confirm(
    complaint_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    user: Confirmer,
    body: ConfirmIn | None = None,
) -> ComplaintDetailOut:
    """The owner accepts the result, rating it if they will (customer service may, for an owner
    on the phone)."""
    now = context.clock.now()
    satisfaction = body.satisfaction if body else None
    complaint = complaints.confirm(
        session, complaint_id, satisfaction=satisfaction, by=user, now=now
    )
    return _detail(session, complaint, user, now=now)


@router.post("/{complaint_id}/reopen")
def reopen(
    complaint_id: ObjectId,
    body: ReasonIn,
    session: SessionDep,
    context: ContextDep,
    user: Confirmer,
) -> ComplaintDetailOut:
    """The owner is not satisfied: handled again, the reason kept, the reopen counted."""
    now = context.clock.now()
    complaint = complaints.reopen(session, complaint_id, reason=body.reason, by=user, now=now)
    return _detail(session, complaint, user, now=now)
