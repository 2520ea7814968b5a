"""Tariffs (versioned, tiered), bills, bill lines that remember their sources, payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import BillStatus, Utility
from hub.storage.base import Base
from hub.storage.types import MONEY, QUANTITY, UTCDateTime, enum_type


class Tariff(Base):
    """A price for one utility at a site from `effective_from`; a change is a new version."""

    __tablename__ = "tariffs"
    __table_args__ = (UniqueConstraint("site_id", "utility", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    utility: Mapped[Utility] = mapped_column(enum_type(Utility))
    version: Mapped[int] = mapped_column()
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    unit: Mapped[str] = mapped_column(String(16))

    tiers: Mapped[list[TariffTier]] = relationship(
        order_by="TariffTier.seq", lazy="selectin", cascade="all, delete-orphan"
    )


class TariffTier(Base):
    """Block `seq` of a tariff: quantity up to `up_to` (None = no limit) costs `unit_price`."""

    __tablename__ = "tariff_tiers"
    __table_args__ = (UniqueConstraint("tariff_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"))
    seq: Mapped[int] = mapped_column()
    up_to: Mapped[Decimal | None] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(QUANTITY)


class Bill(Base):
    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("home_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    total: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[BillStatus] = mapped_column(enum_type(BillStatus))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())

    lines: Mapped[list[BillLine]] = relationship(
        order_by="BillLine.id", lazy="selectin", cascade="all, delete-orphan"
    )


class BillLine(Base):
    """One priced quantity, keeping the readings and the tariff version and tier behind it."""

    __tablename__ = "bill_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    utility: Mapped[Utility] = mapped_column(enum_type(Utility))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(QUANTITY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"))
    start_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    end_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"))
    tariff_version: Mapped[int] = mapped_column()
    tier: Mapped[int | None] = mapped_column()


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
