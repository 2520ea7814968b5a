"""Work orders (工单): repair tickets from owners, staff or rules, their history and the
technician's completion photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import Priority, WorkOrderSource, WorkOrderStatus
from hub.storage.base import Base
from hub.storage.models.site import Device, Home
from hub.storage.models.users import User
from hub.storage.types import EncryptedString, UTCDateTime, enum_type

_OPEN = "status IN ('submitted', 'accepted', 'assigned', 'in_progress')"


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index(
            "uq_work_orders_open_dedup_key",
            "dedup_key",
            unique=True,
            sqlite_where=text(_OPEN + " AND dedup_key IS NOT NULL"),
            postgresql_where=text(_OPEN + " AND dedup_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    source: Mapped[WorkOrderSource] = mapped_column(enum_type(WorkOrderSource))
    category: Mapped[str] = mapped_column(String(64))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[WorkOrderStatus] = mapped_column(enum_type(WorkOrderStatus), index=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # the equipment repaired: the device's asset for a rule's order, or named by staff
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(128))
    dedup_key: Mapped[str | None] = mapped_column(String(255))
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact: Mapped[str | None] = mapped_column(EncryptedString())  # owner data: encrypted
    photo_path: Mapped[str | None] = mapped_column(String(300))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # owner contacted
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # technician on site
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completion_report: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating_attitude: Mapped[int | None] = mapped_column()
    rating_quality: Mapped[int | None] = mapped_column()
    rating_comment: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first SLA escalation
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    refused_count: Mapped[int] = mapped_column(default=0)  # the owner sent it back for rework
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    home: Mapped[Home | None] = relationship(lazy="joined")
    device: Mapped[Device | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], lazy="joined")
    photos: Mapped[list[WorkOrderPhoto]] = relationship(
        lazy="selectin", order_by="WorkOrderPhoto.id"
    )
    pauses: Mapped[list[WorkOrderPause]] = relationship(
        lazy="selectin", order_by="WorkOrderPause.id"
    )
    escalations: Mapped[list[WorkOrderEscalation]] = relationship(
        lazy="selectin", order_by="WorkOrderEscalation.id"
    )


class WorkOrderEvent(Base):
    """One step in a work order's life: who moved it where, when, with what note."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    status: Mapped[WorkOrderStatus] = mapped_column(enum_type(WorkOrderStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class WorkOrderPhoto(Base):
    """A photo the technician took on completion: re-encoded JPEG under `var/uploads`."""

    __tablename__ = "work_order_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # random stored file name
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkOrderPause(Base):
    """A time the SLA clocks stood still: waiting for the owner (not home, parts to agree)."""

    __tablename__ = "work_order_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: still waiting
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class WorkOrderEscalation(Base):
    """One step of the SLA ladder that fired for one clock of one order: at most once each."""

    __tablename__ = "work_order_escalations"
    __table_args__ = (UniqueConstraint("work_order_id", "clock", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    clock: Mapped[str] = mapped_column(String(16))  # accept, contact, arrive, complete
    step: Mapped[int] = mapped_column()  # 1: supervisors, 2: managers
    at: Mapped[datetime] = mapped_column(UTCDateTime())
