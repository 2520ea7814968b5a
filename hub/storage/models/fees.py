"""Fees beside the metered utilities and the property fee: parking spaces and the homes'
contracts for them (停车费), and one-off charges finance adds to a home (一次性费用)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import OneOffKind, ParkingKind
from hub.storage.base import Base
from hub.storage.models.site import Home
from hub.storage.types import MONEY, UTCDateTime, enum_type


class ParkingSpace(Base):
    """A parking space of an estate and its monthly fee (rent, or management fee if owned)."""

    __tablename__ = "parking_spaces"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[ParkingKind] = mapped_column(enum_type(ParkingKind))
    monthly_fee: Mapped[Decimal] = mapped_column(MONEY)
    location: Mapped[str] = mapped_column(String(200), default="")


class ParkingContract(Base):
    """A home's contract for a space from `starts_on` to `ends_on` (inclusive; None: open)."""

    __tablename__ = "parking_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("parking_spaces.id"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: site file

    space: Mapped[ParkingSpace] = relationship(lazy="joined")
    home: Mapped[Home] = relationship(lazy="joined")


class OneOffCharge(Base):
    """A charge finance added to a home; billed once (the bill line points at it), or
    withdrawn before it was billed."""

    __tablename__ = "one_off_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    kind: Mapped[OneOffKind] = mapped_column(enum_type(OneOffKind))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    home: Mapped[Home] = relationship(lazy="joined")
