"""A home's household beyond its owners: family members, tenants, emergency contacts, vehicles.

Names and phone numbers are owner data, so they are encrypted at rest; a plate stays readable
because the gate and the car park look vehicles up by it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import MemberKind
from hub.storage.base import Base
from hub.storage.types import EncryptedString, UTCDateTime, enum_type


class HouseholdMember(Base):
    """A family member, a tenant (with move-in and move-out dates) or an emergency contact."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    kind: Mapped[MemberKind] = mapped_column(enum_type(MemberKind))
    name: Mapped[str] = mapped_column(EncryptedString())
    relation: Mapped[str] = mapped_column(String(32), default="")  # e.g. 配偶 spouse
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    moved_in_on: Mapped[date | None] = mapped_column()
    moved_out_on: Mapped[date | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Vehicle(Base):
    """A car of the household, by plate, with the parking space it uses."""

    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("home_id", "plate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    parking_space: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
