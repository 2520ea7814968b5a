"""Maintenance records (维修记录): what the technician did on a work order that repairs an asset,
the time and parts it took, and who confirmed it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import FailureCause, RepairRemedy
from hub.storage.base import Base
from hub.storage.models.users import User
from hub.storage.types import MONEY, QUANTITY, UTCDateTime, enum_type


class MaintenanceRecord(Base):
    """One per work order; read-only once `confirmed_at` is set. The total is never stored:
    it is computed from the parts and the other cost."""

    __tablename__ = "maintenance_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    cause: Mapped[FailureCause] = mapped_column(enum_type(FailureCause))
    remedy: Mapped[RepairRemedy] = mapped_column(enum_type(RepairRemedy))
    note: Mapped[str] = mapped_column(Text, default="")
    other_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    written_by: Mapped[User] = relationship(foreign_keys=[written_by_id], lazy="joined")
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id], lazy="joined")
    labour: Mapped[list[MaintenanceLabour]] = relationship(
        lazy="selectin", order_by="MaintenanceLabour.id", cascade="all, delete-orphan"
    )
    parts: Mapped[list[MaintenancePart]] = relationship(
        lazy="selectin", order_by="MaintenancePart.id", cascade="all, delete-orphan"
    )


class MaintenanceLabour(Base):
    """The minutes one technician spent on the repair."""

    __tablename__ = "maintenance_labour"
    __table_args__ = (UniqueConstraint("record_id", "technician_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("maintenance_records.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    minutes: Mapped[int] = mapped_column()

    technician: Mapped[User] = relationship(lazy="joined")


class MaintenancePart(Base):
    """A part used: its name, how many (a length of pipe may be 2.5) and the price of one."""

    __tablename__ = "maintenance_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("maintenance_records.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
