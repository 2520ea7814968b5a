"""The shapes of a complaint people see: one model for the REST API and the live feed.

The owner's contact is masked unless the reader's duty needs it (`full_contact`); each view
carries both deadlines with their breached flags, measured at `now`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hub.complaint_states import (
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    ContactMethod,
    Department,
)
from hub.crypto import mask
from hub.services import sla_policy
from hub.services.complaint_limits import ComplaintLimits, complaint_deadlines
from hub.services.work_order_views import PhotoOut, home_label
from hub.storage.models import Complaint, ComplaintContact, ComplaintEvent, User


class DeadlineOut(BaseModel):
    due: datetime
    done_at: datetime | None = Field(description="when the step was done; None while open")
    breached: bool = Field(description="done late, or still open past `due`")


class ComplaintOut(BaseModel):
    id: int
    number: str = Field(description="投诉号 shown to people, e.g. TS20261203-0042")
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    owner_id: int | None = Field(description="the owner who submitted in the app; None: staff")
    channel: ComplaintChannel
    call_at: datetime | None = Field(description="phone-ins: when the owner called")
    kind: ComplaintKind
    description: str
    contact: str | None
    category: str | None = Field(description="customer service's classification on review")
    suggested_department: Department | None = Field(
        description="where the SLA file's routes send it (customer service may choose another)"
    )
    department: Department | None
    status: ComplaintStatus
    recorded_at: datetime
    reviewed_at: datetime | None
    assigned_at: datetime | None
    contacted_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    result: str | None
    reopen_count: int
    reopen_reason: str | None
    satisfaction: int | None = Field(description="1-5, the owner's on confirming the result")
    out_of_scope_reason: str | None
    photos: list[PhotoOut] = Field(description="what it is about, as the owner or desk sent it")
    review: DeadlineOut = Field(description="reviewed in time (the SLA file; 1 h by default)")
    contact_owner: DeadlineOut = Field(
        description="owner contacted in time (the SLA file; 24 h by default)"
    )

    @classmethod
    def of(
        cls,
        complaint: Complaint,
        *,
        now: datetime,
        full_contact: bool = False,
        limits: ComplaintLimits | None = None,
    ) -> ComplaintOut:
        """`limits` default to the SLA file's for the complaint's kind."""
        limits = limits or sla_policy.current().complaints.limits_for(complaint.kind)
        start, contact = complaint.recorded_at, complaint.contact
        review, reach = complaint_deadlines(complaint, limits, now)
        return cls(
            id=complaint.id,
            number=f"TS{start:%Y%m%d}-{complaint.id:04d}",
            home_id=complaint.home_id,
            home=home_label(complaint.home),
            owner_id=complaint.owner_id,
            channel=complaint.channel,
            call_at=complaint.call_at,
            kind=complaint.kind,
            description=complaint.description,
            contact=contact if full_contact or contact is None else mask(contact),
            category=complaint.category,
            suggested_department=complaint.suggested_department,
            department=complaint.department,
            status=complaint.status,
            recorded_at=start,
            reviewed_at=complaint.reviewed_at,
            assigned_at=complaint.assigned_at,
            contacted_at=complaint.contacted_at,
            handled_at=complaint.handled_at,
            closed_at=complaint.closed_at,
            result=complaint.result,
            reopen_count=complaint.reopen_count,
            reopen_reason=complaint.reopen_reason,
            satisfaction=complaint.satisfaction,
            out_of_scope_reason=complaint.out_of_scope_reason,
            photos=[
                PhotoOut(
                    id=photo.id,
                    content_type=photo.content_type,
                    size=photo.size,
                    url=f"/api/v1/complaints/{complaint.id}/photos/{photo.id}",
                )
                for photo in complaint.photos
            ],
            review=DeadlineOut(**vars(review)),
            contact_owner=DeadlineOut(**vars(reach)),
        )


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return (user.full_name or user.username) if user else None


class ComplaintStepOut(BaseModel):
    status: ComplaintStatus
    at: datetime
    by_name: str | None = Field(description="None: the owner's app or the hub")
    note: str

    @classmethod
    def of(cls, session: Session, event: ComplaintEvent) -> ComplaintStepOut:
        by = _name(session, event.by_id)
        return cls(status=event.status, at=event.at, by_name=by, note=event.note)


class ContactOut(BaseModel):
    id: int
    method: ContactMethod
    by_name: str | None
    at: datetime = Field(description="when the call or visit happened")
    summary: str = Field(description="what was said")

    @classmethod
    def of(cls, session: Session, entry: ComplaintContact) -> ContactOut:
        by = _name(session, entry.by_id)
        return cls(id=entry.id, method=entry.method, by_name=by, at=entry.at, summary=entry.summary)


class ComplaintDetailOut(ComplaintOut):
    timeline: list[ComplaintStepOut]
    contacts: list[ContactOut]
