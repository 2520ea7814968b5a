"""Complaints and suggestions (投诉建议): the complaint, its timeline and its contact log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.complaint_states import (
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    ContactMethod,
    Department,
)
from hub.storage.base import Base
from hub.storage.models.site import Home
from hub.storage.types import EncryptedString, UTCDateTime, enum_type


class Complaint(Base):
    """One complaint, suggestion or praise: who, which home, how it came in, and each step's
    time (the deadlines are measured from `recorded_at`)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # app only
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # staff intake
    channel: Mapped[ComplaintChannel] = mapped_column(enum_type(ComplaintChannel))
    call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # phone-ins: the call
    kind: Mapped[ComplaintKind] = mapped_column(enum_type(ComplaintKind))
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(EncryptedString())  # owner data: encrypted
    category: Mapped[str | None] = mapped_column(String(64))  # set on review
    suggested_department: Mapped[Department | None] = mapped_column(enum_type(Department))
    department: Mapped[Department | None] = mapped_column(enum_type(Department), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(enum_type(ComplaintStatus), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first contact
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # latest result
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(default=0)
    reopen_reason: Mapped[str | None] = mapped_column(Text)  # the latest
    satisfaction: Mapped[int | None] = mapped_column()  # 1-5, the owner's, on confirming
    out_of_scope_reason: Mapped[str | None] = mapped_column(Text)

    home: Mapped[Home] = relationship(lazy="joined")
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        lazy="selectin", order_by="ComplaintPhoto.id"
    )


class ComplaintEvent(Base):
    """One step of a complaint: the status it reached, when, by whom, with the note."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(enum_type(ComplaintStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class ComplaintContact(Base):
    """The department's contact with the owner (联系记录): a call or a visit, who, when, what
    was said. The first one meets (or misses) the 24-hour limit."""

    __tablename__ = "complaint_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    method: Mapped[ContactMethod] = mapped_column(enum_type(ContactMethod))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the call or visit happened
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    summary: Mapped[str] = mapped_column(Text)


class ComplaintPhoto(Base):
    """A photo the owner (or customer service) attached, re-encoded JPEG, or a short video kept
    as sent (MP4/WebM, `content_type`), under `var/uploads`."""

    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # random stored file name
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
