"""Written demands for payment (催缴函): the step after the arrears reminders, kept with the
bills and amounts they demanded so a letter reads the same when printed again."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.storage.base import Base
from hub.storage.types import MONEY, UTCDateTime


class DemandLetter(Base):
    __tablename__ = "demand_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    pay_by: Mapped[date] = mapped_column(Date)  # the reasonable term art. 944 asks for
    total: Mapped[Decimal] = mapped_column(MONEY)
    owners: Mapped[str] = mapped_column(String(400))  # addressed to, as at issue

    bills: Mapped[list[DemandLetterBill]] = relationship(
        order_by="DemandLetterBill.id", lazy="selectin", cascade="all, delete-orphan"
    )


class DemandLetterBill(Base):
    """One unpaid bill a letter demands, with its amount then."""

    __tablename__ = "demand_letter_bills"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("demand_letters.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the bill's
