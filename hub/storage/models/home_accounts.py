"""A home's money beyond its bills: how each payment was spread over bills (allocations), the
prepaid balance (预缴余额) as a ledger of movements, refunds (退款) and deposits (押金)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.models.billing import PaymentMethod
from hub.storage.types import MONEY, UTCDateTime, enum_type


class BalanceCause(StrEnum):
    """Why a home's prepaid balance moved."""

    EXCESS = "excess"  # a payment beyond what was outstanding
    PREPAYMENT = "prepayment"  # money paid in advance (预缴)
    APPLIED = "applied"  # taken to pay a new bill (预缴抵扣)
    REFUND = "refund"  # paid back to the owner (退款)
    CREDITED = "credited"  # what a credited bill (冲销) had been paid, back for its re-bill


class RefundSource(StrEnum):
    BALANCE = "balance"
    PAYMENT = "payment"
    DEPOSIT = "deposit"


class Refund(Base):
    """Money paid back (退款), numbered; `reason` is required. A deposit's refund also states
    what was kept from it (`deducted`, e.g. for damage)."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    source: Mapped[RefundSource] = mapped_column(enum_type(RefundSource))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("deposits.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    deducted: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    reason: Mapped[str] = mapped_column(String(200))
    refunded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refunded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PaymentAllocation(Base):
    """Part of a payment (or, `payment_id` None, of the prepaid balance) paying a bill; a
    refund un-allocates by a negative row, so a bill's paid amount is the sum of its rows."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class BalanceEntry(Base):
    """One movement of a home's prepaid balance, with its cause; the balance is their sum."""

    __tablename__ = "balance_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)  # in: positive; out: negative
    cause: Mapped[BalanceCause] = mapped_column(enum_type(BalanceCause))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a billing run


class Deposit(Base):
    """A deposit received (押金, e.g. 装修押金 for renovation): held apart from bills, never
    applied to them; given back by refunds."""

    __tablename__ = "deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)  # 收据号
    reference: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
