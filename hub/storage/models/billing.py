"""Tariffs (versioned, tiered), bills, bill lines that remember their sources; payment
intents, payments and the provider notifications behind them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import BillStatus, ShareBasis, TierPeriod, TouBand, Utility
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
    tier_period: Mapped[TierPeriod] = mapped_column(enum_type(TierPeriod), default=TierPeriod.MONTH)
    # A seasonal price (e.g. summer blocks, "5,6,7,8,9,10"): the months it applies to; None: all
    months: Mapped[str | None] = mapped_column(String(40))

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
    band: Mapped[TouBand | None] = mapped_column(enum_type(TouBand))  # time of use: no up_to


class Bill(Base):
    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("home_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    total: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[BillStatus] = mapped_column(enum_type(BillStatus))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The sum of its allocations (hub/services/allocation.py), and when they last covered it
    paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Arrears reminders (hub/services/billing/arrears.py): stages sent so far, and when
    reminders_sent: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[BillLine]] = relationship(
        foreign_keys="BillLine.bill_id",
        order_by="BillLine.id",
        lazy="selectin",
        cascade="all, delete-orphan",
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
    # A home's share of a common-area meter (公摊): `quantity` is its weight (m2, 户 or its own
    # use), `unit_price` the common amount per unit of weight.
    share_basis: Mapped[ShareBasis | None] = mapped_column(enum_type(ShareBasis))
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"))
    start_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    end_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))  # None: a late fee
    tariff_version: Mapped[int | None] = mapped_column()
    tier: Mapped[int | None] = mapped_column()
    # A late fee (滞纳金) line: the overdue bill it accrues on; `quantity` is its new days late
    late_fee_bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))


class PaymentMethod(StrEnum):
    """How money reached the estate: an online provider, or the finance counter."""

    SANDBOX = "sandbox"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"


class IntentStatus(StrEnum):
    PENDING = "pending"  # the owner was sent to the provider; no verified notification yet
    PAID = "paid"


class NotificationOutcome(StrEnum):
    PAID = "paid"  # verified, matched: this notification paid the bill
    DUPLICATE = "duplicate"  # verified, already acted on: answered success, nothing changed
    REFUSED = "refused"


class PaymentIntent(Base):
    """An owner's "I want to pay this bill" with a provider; paid only by its notification."""

    __tablename__ = "payment_intents"

    id: Mapped[int] = mapped_column(primary_key=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)  # our 商户订单号
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[IntentStatus] = mapped_column(enum_type(IntentStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Payment(Base):
    """Money received for a home: from a provider's notification (for one bill) or at the
    counter; spread over bills by its allocations (hub/storage/models/home_accounts.py)."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("method", "transaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))  # an intent's bill
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    transaction_id: Mapped[str | None] = mapped_column(String(64))  # the provider's
    receipt_no: Mapped[str | None] = mapped_column(String(32), unique=True)  # 收据号, counter
    reference: Mapped[str | None] = mapped_column(String(64))  # e.g. the bank's transfer ref
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("payment_intents.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # finance


class PaymentNotification(Base):
    """Every notification a provider sent, accepted or refused, and why: the trail finance
    and support read when an owner says "I paid"."""

    __tablename__ = "payment_notifications"
    __table_args__ = (Index("ix_payment_notifications_provider_nonce", "provider", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[NotificationOutcome] = mapped_column(enum_type(NotificationOutcome))
    reason: Mapped[str] = mapped_column(String(300))
    nonce: Mapped[str | None] = mapped_column(String(64))  # as claimed, verified or not
    verified: Mapped[bool] = mapped_column()  # signature and timestamp checked out
    out_trade_no: Mapped[str | None] = mapped_column(String(64))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    body_sha256: Mapped[str] = mapped_column(String(64))
